import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  Next,
  WorkerOptions,
} from '@temporalio/worker';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { stdSerializers, type Logger as PinoLogger } from 'pino';
import { tracingPipeline } from '../src/observability/tracing';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Temporal's logger (workflow `log`, activity `log`, the SDK's own messages) writing pino JSON
 * lines like the rest of Cairn. The OpenTelemetry interceptors put trace_id/span_id into the
 * metadata; they are renamed to the traceId/spanId every other line uses.
 */
export class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: PinoLogger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    // The task token is an opaque blob as long as a paragraph; the ids beside it say the same.
    const fields: Record<string, unknown> = { ...meta };
    const { trace_id, span_id } = meta;
    delete fields.trace_id;
    delete fields.span_id;
    delete fields.trace_flags;
    delete fields.taskToken;
    if (typeof trace_id === 'string') fields.traceId = trace_id;
    if (typeof span_id === 'string') fields.spanId = span_id;
    // The SDK passes failures as `error`; an Error has no enumerable fields, so JSON shows `{}`.
    if (meta.error instanceof Error) fields.error = stdSerializers.errWithCause(meta.error);
    this.logger[pinoLevels[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The ids an activity works on, taken from its one object argument ({ workspaceId, … }). */
export function activityLogFields(args: readonly unknown[]): Record<string, unknown> {
  const input = args[0];
  if (typeof input !== 'object' || input === null) return {};
  const fields: Record<string, unknown> = {};
  for (const key of ['workspaceId', 'documentId', 'documentIds', 'domainId', 'importId']) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === 'string' || (Array.isArray(value) && value.length <= 20)) {
      fields[key] = value;
    }
  }
  return fields;
}

/** Adds the workspace and document ids of the running activity to every line it logs. */
const activityIdsInLogs: ActivityInterceptorsFactory = () => {
  let fields: Record<string, unknown> = {};
  const inbound: ActivityInboundCallsInterceptor = {
    execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
      fields = activityLogFields(input.args);
      return next(input);
    },
  };
  const outbound: ActivityOutboundCallsInterceptor = {
    getLogAttributes(
      input: GetLogAttributesInput,
      next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>,
    ) {
      return next({ ...fields, ...input });
    },
  };
  return { inbound, outbound };
};

/**
 * Interceptors and sinks that carry the trace through Temporal: the workflow joins the trace of
 * the client that started it (its spans are recorded in the sandbox and handed out through the
 * `exporter` sink), and every activity runs in a child span of the workflow's, so store calls
 * made by the activity land in the same trace.
 */
export function workerObservabilityOptions(
  queue: string,
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const pipeline = tracingPipeline();
  const activity: ActivityInterceptorsFactory[] = [activityIdsInLogs];
  if (!pipeline) return { interceptors: { activity } };
  activity.unshift((ctx) => ({
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  }));
  return {
    interceptors: {
      activity,
      // Only the general queue runs workflow code.
      ...(queue === 'general'
        ? {
            workflowModules: [
              require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
            ],
          }
        : {}),
    },
    sinks: { exporter: makeWorkflowExporter(pipeline.spanProcessor, pipeline.resource) },
  };
}
