import type { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';
import type { CairnConfig } from '../../config/config';
import { activeTraceFields } from '../../observability/trace-context';
import { currentRequestFields } from './request-context';

/**
 * One JSON line per event on stdout; `service` tells the API and each worker apart. Lines written
 * while serving a request carry its requestId and workspaceId, and lines written inside a traced
 * operation its traceId and spanId.
 */
export function createLogger(level: CairnConfig['LOG_LEVEL'], service: string): PinoLogger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ ...currentRequestFields(), ...activeTraceFields() }),
  });
}

/**
 * Routes Nest's own logging (bootstrap, `new Logger(ctx)` in services) through pino, so every
 * line the process prints is structured. Nest passes the context as the last argument.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest calls error(message, stack, context) or error(message, context).
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    const stack = rest.length > 1 ? rest[0] : undefined;
    const fields: Record<string, unknown> = { context };
    if (typeof stack === 'string') fields.stack = stack;
    if (message instanceof Error) fields.err = message;
    this.logger.error(fields, describe(message));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    const context = rest.length > 0 ? rest[rest.length - 1] : undefined;
    const fields: Record<string, unknown> = { context };
    if (typeof message === 'object' && message !== null && !(message instanceof Error)) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, describe(message));
    }
  }
}

function describe(message: unknown): string {
  if (message instanceof Error) return message.message;
  return typeof message === 'string' ? message : JSON.stringify(message);
}
