// Jaeger's HTTP query API (the one its own UI reads) as the console's trace view needs it: one
// trace as a flat list of spans in tree order, each with its depth, and search results as short
// summaries. Pure functions over Jaeger's JSON, so they are tested without a Jaeger.

type JaegerKeyValue = { key: string; type?: string; value: unknown };

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[] | null;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerKeyValue[] | null;
  logs?: { timestamp: number; fields?: JaegerKeyValue[] | null }[] | null;
  processID: string;
  warnings?: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface TraceSpanView {
  spanId: string;
  parentSpanId: string | null;
  /** Distance from the root of its tree (0 for a root, or a span whose parent is missing). */
  depth: number;
  service: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  /** Milliseconds from the trace's first span. */
  offsetMs: number;
  durationMs: number;
  startedAt: string;
  error: boolean;
  /** The span's status message, or the first exception's message, when it failed. */
  errorMessage: string | null;
  attributes: Record<string, string | number | boolean>;
  events: {
    offsetMs: number;
    name: string;
    attributes: Record<string, string | number | boolean>;
  }[];
}

export interface TraceView {
  traceId: string;
  startedAt: string;
  durationMs: number;
  services: string[];
  errors: number;
  spans: TraceSpanView[];
}

export interface TraceSummary {
  traceId: string;
  rootName: string;
  rootService: string;
  startedAt: string;
  durationMs: number;
  spans: number;
  errors: number;
}

const KINDS = new Set(['internal', 'server', 'client', 'producer', 'consumer']);
// Tags Jaeger derives from the OTLP span itself; the view shows them as fields instead.
const DERIVED_TAGS = new Set(['span.kind', 'error', 'otel.status_code', 'otel.status_description']);

const micros = (value: number) => Math.round(value) / 1000;

function scalar(value: unknown): string | number | boolean {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
    ? value
    : JSON.stringify(value);
}

function keyValues(
  pairs: JaegerKeyValue[] | null | undefined,
): Record<string, string | number | boolean> {
  return Object.fromEntries((pairs ?? []).map(({ key, value }) => [key, scalar(value)]));
}

/**
 * One trace (Jaeger may return it in several parts: they are merged) as a span list in tree
 * order: each parent before its children, siblings by start time.
 */
export function traceView(traceId: string, parts: JaegerTrace[]): TraceView | null {
  const spans: (TraceSpanView & { start: number })[] = [];
  const seen = new Set<string>();
  for (const part of parts) {
    for (const span of part.spans) {
      if (seen.has(span.spanID)) continue;
      seen.add(span.spanID);
      const tags = keyValues(span.tags);
      const parent = span.references?.find((reference) => reference.refType === 'CHILD_OF');
      const kind = String(tags['span.kind'] ?? 'internal');
      const events = (span.logs ?? []).map((log) => {
        const fields = keyValues(log.fields);
        const { event, ...attributes } = fields;
        return { at: log.timestamp, name: String(event ?? 'log'), attributes };
      });
      const failed = tags.error === true || tags['otel.status_code'] === 'ERROR';
      const exception = events.find((event) => event.name === 'exception');
      spans.push({
        start: span.startTime,
        spanId: span.spanID,
        parentSpanId: parent?.spanID ?? null,
        depth: 0,
        service: part.processes[span.processID]?.serviceName ?? 'unknown',
        name: span.operationName,
        kind: (KINDS.has(kind) ? kind : 'internal') as TraceSpanView['kind'],
        offsetMs: 0,
        durationMs: micros(span.duration),
        startedAt: new Date(span.startTime / 1000).toISOString(),
        error: failed,
        errorMessage: failed
          ? String(
              tags['otel.status_description'] ?? exception?.attributes['exception.message'] ?? '',
            ) || null
          : null,
        attributes: Object.fromEntries(
          Object.entries(tags).filter(([key]) => !DERIVED_TAGS.has(key)),
        ),
        events: events.map(({ at, ...event }) => ({ offsetMs: at, ...event })),
      });
    }
  }
  if (spans.length === 0) return null;

  const first = Math.min(...spans.map((span) => span.start));
  const last = Math.max(...spans.map((span) => span.start + span.durationMs * 1000));
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | null, typeof spans>();
  for (const span of spans) {
    // A parent Jaeger has not received (yet) leaves its children as roots.
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: TraceSpanView[] = [];
  const visit = (parent: string | null, depth: number) => {
    const level = (children.get(parent) ?? []).sort((a, b) => a.start - b.start);
    for (const { start, ...span } of level) {
      ordered.push({
        ...span,
        depth,
        offsetMs: micros(start - first),
        events: span.events.map((event) => ({
          ...event,
          offsetMs: micros(event.offsetMs - first),
        })),
      });
      visit(span.spanId, depth + 1);
    }
  };
  visit(null, 0);

  return {
    traceId,
    startedAt: new Date(first / 1000).toISOString(),
    durationMs: micros(last - first),
    services: [...new Set(ordered.map((span) => span.service))].sort(),
    errors: ordered.filter((span) => span.error).length,
    spans: ordered,
  };
}

/** Search results as one line each, newest first. */
export function traceSummaries(traces: JaegerTrace[]): TraceSummary[] {
  const byId = new Map<string, JaegerTrace[]>();
  for (const trace of traces) byId.set(trace.traceID, [...(byId.get(trace.traceID) ?? []), trace]);
  const summaries: TraceSummary[] = [];
  for (const [traceId, parts] of byId) {
    const view = traceView(traceId, parts);
    if (!view) continue;
    const root = view.spans[0];
    summaries.push({
      traceId,
      rootName: root.name,
      rootService: root.service,
      startedAt: view.startedAt,
      durationMs: view.durationMs,
      spans: view.spans.length,
      errors: view.errors,
    });
  }
  return summaries.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}
