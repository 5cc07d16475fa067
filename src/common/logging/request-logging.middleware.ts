import type { NextFunction, Response } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { AuthenticatedRequest } from '../../auth/principal';
import { activeTraceFields } from '../../observability/trace-context';
import type { RequestWithId } from '../http/request-id';

/**
 * One log line per finished (or aborted) request: method, path, status, duration, request id,
 * the trace of the request's server span and the workspace it acted in (once authenticated).
 */
export function requestLoggingMiddleware(logger: PinoLogger) {
  const requestLogger = logger.child({ context: 'HTTP' });
  return (
    request: RequestWithId & AuthenticatedRequest,
    response: Response,
    next: NextFunction,
  ): void => {
    const startedAt = process.hrtime.bigint();
    // Taken now, while the server span is the active one.
    const trace = activeTraceFields();
    let logged = false;
    const logOnce = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
      // 499 (as nginx logs it): the client went away before a response was sent.
      const status = aborted && !response.headersSent ? 499 : response.statusCode;
      const fields = {
        requestId: request.requestId,
        ...trace,
        ...(request.workspaceId ? { workspaceId: request.workspaceId } : {}),
        method: request.method,
        path: request.originalUrl.split('?')[0],
        status,
        durationMs: Math.round(durationMs * 10) / 10,
        ...(aborted ? { aborted: true } : {}),
      };
      if (status >= 500) requestLogger.error(fields, 'request');
      else if (status >= 400) requestLogger.warn(fields, 'request');
      else requestLogger.info(fields, 'request');
    };
    response.on('finish', () => logOnce(false));
    response.on('close', () => logOnce(!response.writableFinished));
    next();
  };
}
