// Reads traces back from the stack's Jaeger (its HTTP query API, the one its UI uses), where
// `npm test` sends the API's and the workers' spans.

/** One span of a trace, with its service and attributes flattened. */
export interface TraceSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP's enum: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

type JaegerTag = { key: string; value: unknown };
type JaegerTrace = {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    references?: { refType: string; traceID: string; spanID: string }[];
    tags?: JaegerTag[];
    processID: string;
  }[];
  processes: Record<string, { serviceName: string }>;
};

const KINDS: Record<string, number> = {
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

/** Jaeger's query base: its UI URL of the stack, with the path prefix. */
export function jaegerQueryBase(): string {
  const port = process.env.CAIRN_JAEGER_UI_PORT ?? '16686';
  const prefix = process.env.CAIRN_JAEGER_UI_PUBLIC_PATH ?? '/jaeger';
  return `http://127.0.0.1:${port}${prefix === '/' ? '' : prefix}`;
}

/** The spans Jaeger holds for one trace so far (none while it has not seen any). */
export async function jaegerTrace(traceId: string): Promise<TraceSpan[]> {
  const response = await fetch(`${jaegerQueryBase()}/api/traces/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} for trace ${traceId}`);
  const { data } = (await response.json()) as { data: JaegerTrace[] };
  return data.flatMap((trace) =>
    trace.spans.map((span) => {
      const tags = Object.fromEntries((span.tags ?? []).map(({ key, value }) => [key, value]));
      const parent = span.references?.find((reference) => reference.refType === 'CHILD_OF');
      return {
        service: trace.processes[span.processID]?.serviceName ?? '',
        traceId: span.traceID,
        spanId: span.spanID,
        ...(parent ? { parentSpanId: parent.spanID } : {}),
        name: span.operationName,
        kind: typeof tags['span.kind'] === 'string' ? (KINDS[tags['span.kind']] ?? 1) : 1,
        attributes: tags,
      };
    }),
  );
}
