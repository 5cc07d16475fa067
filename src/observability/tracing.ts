// OpenTelemetry for one Cairn process. Loaded before anything else (see api-tracing.ts and
// workers/tracing.ts), because instrumentations patch http, pg and ioredis when they are required.
//
// Configured by the standard variables, read by the SDK itself: OTEL_SDK_DISABLED,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER (otlp | console | none),
// OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL, OTEL_TRACES_SAMPLER
// [_ARG], OTEL_BSP_*. One Cairn rule on top: without an explicit OTEL_TRACES_EXPORTER and without
// an OTLP endpoint, spans are made (so trace ids reach headers and logs) but exported nowhere,
// instead of being sent to a collector on localhost that is usually not there.
import { diag, DiagLogLevel, trace, ProxyTracerProvider } from '@opentelemetry/api';
import type { IResource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  NoopSpanProcessor,
  ParentBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

/** What the Temporal worker needs to export spans recorded inside the workflow sandbox. */
export interface TracingPipeline {
  spanProcessor: SpanProcessor;
  resource: IResource;
}

let sdk: NodeSDK | undefined;
let pipeline: TracingPipeline | undefined;

/** True when the SDK is switched off as a whole (OTEL_SDK_DISABLED=true). */
export function tracingDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
}

/**
 * The exporters to use: OTEL_TRACES_EXPORTER when set, otherwise otlp when an OTLP endpoint is
 * configured and none when it is not.
 */
export function chosenTracesExporters(env: NodeJS.ProcessEnv = process.env): string[] {
  const listed = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (listed.length > 0) return listed;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return endpoint ? ['otlp'] : ['none'];
}

/**
 * Starts tracing for this process once. `defaultServiceName` applies unless OTEL_SERVICE_NAME
 * (or service.name in OTEL_RESOURCE_ATTRIBUTES) names the service. `instrumentOnlyWhenExported`
 * leaves http, pg and ioredis unpatched when no span leaves the process: in a worker their spans
 * would only be dropped, at a cost on every MinIO, Postgres and Redis call, while the trace ids
 * of its logs come from the activity's own span. The API keeps them: its server span is what
 * puts the trace id in every response.
 */
export function startTracing(
  defaultServiceName: string,
  options: { instrumentOnlyWhenExported?: boolean } = {},
): void {
  if (sdk || tracingDisabled()) return;
  if (process.env.OTEL_LOG_LEVEL) {
    // The SDK's own diagnostics (export failures, bad settings), on stderr.
    const level = process.env.OTEL_LOG_LEVEL.toUpperCase() as keyof typeof DiagLogLevel;
    diag.setLogger(
      { ...console, verbose: console.debug },
      DiagLogLevel[level] ?? DiagLogLevel.WARN,
    );
  }
  const exporters = chosenTracesExporters();
  const explicitServiceName =
    process.env.OTEL_SERVICE_NAME ||
    /(^|,)\s*service\.name\s*=/.test(process.env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  sdk = new NodeSDK({
    ...(explicitServiceName ? {} : { serviceName: defaultServiceName }),
    // "none" still needs a tracer provider, so that ids reach headers and logs; its spans are
    // not sampled, which spares recording attributes and events nobody will read. Otherwise the
    // SDK builds the exporters named by OTEL_TRACES_EXPORTER with batching.
    ...(exporters.includes('none')
      ? {
          spanProcessors: [new NoopSpanProcessor()],
          sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
        }
      : {}),
    // Cairn ships no OpenTelemetry logs or metrics (logs go to stdout, metrics to Prometheus).
    logRecordProcessors: [],
    instrumentations:
      options.instrumentOnlyWhenExported && exporters.includes('none')
        ? []
        : [
            new HttpInstrumentation(),
            // Database spans only inside a trace: pool upkeep and polling make no root spans.
            new PgInstrumentation({ requireParentSpan: true }),
            new IORedisInstrumentation({ requireParentSpan: true }),
          ],
  });
  sdk.start();
  pipeline = currentPipeline();
  // Spans still in the batch are sent before the process exits.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stopTracing());
  }
}

/** The registered provider's processor and resource, or undefined when tracing is off. */
export function tracingPipeline(): TracingPipeline | undefined {
  return pipeline;
}

/** Flushes and stops the exporter; safe to call more than once. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  pipeline = undefined;
  await running?.shutdown().catch(() => undefined);
}

function currentPipeline(): TracingPipeline | undefined {
  let provider: unknown = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) provider = provider.getDelegate();
  if (!(provider instanceof BasicTracerProvider)) return undefined;
  return { spanProcessor: provider.getActiveSpanProcessor(), resource: provider.resource };
}
