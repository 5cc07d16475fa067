import { type JaegerSpan, type JaegerTrace, traceSummaries, traceView } from './jaeger-trace';

const TRACE = 'a'.repeat(32);
const T0 = 1_700_000_000_000_000; // microseconds

function span(
  id: string,
  parent: string | null,
  start: number,
  duration: number,
  extra: Partial<JaegerSpan> = {},
): JaegerSpan {
  return {
    traceID: TRACE,
    spanID: id,
    operationName: `op-${id}`,
    references: parent ? [{ refType: 'CHILD_OF', traceID: TRACE, spanID: parent }] : [],
    startTime: T0 + start,
    duration,
    tags: [{ key: 'span.kind', type: 'string', value: 'server' }],
    logs: [],
    processID: 'p1',
    ...extra,
  };
}

describe('traceView', () => {
  it('orders spans as a tree (parents first, siblings by start) with depths and offsets', () => {
    const trace: JaegerTrace = {
      traceID: TRACE,
      // Jaeger lists spans in no particular order.
      spans: [
        span('c2', 'b', 3_000, 500),
        span('b', 'a', 1_000, 4_000),
        span('a', null, 0, 10_000),
        span('c1', 'b', 2_000, 500),
      ],
      processes: { p1: { serviceName: 'cairn-api' } },
    };
    const view = traceView(TRACE, [trace]);
    expect(view?.spans.map((s) => [s.spanId, s.depth, s.offsetMs])).toEqual([
      ['a', 0, 0],
      ['b', 1, 1],
      ['c1', 2, 2],
      ['c2', 2, 3],
    ]);
    expect(view?.durationMs).toBe(10);
    expect(view?.services).toEqual(['cairn-api']);
    expect(view?.startedAt).toBe(new Date(T0 / 1000).toISOString());
  });

  it('merges parts across processes, and keeps a span whose parent is missing as a root', () => {
    const api: JaegerTrace = {
      traceID: TRACE,
      spans: [span('a', null, 0, 2_000)],
      processes: { p1: { serviceName: 'cairn-api' } },
    };
    const worker: JaegerTrace = {
      traceID: TRACE,
      spans: [span('w', 'gone', 5_000, 1_000), span('a', null, 0, 2_000)],
      processes: { p1: { serviceName: 'cairn-worker' } },
    };
    const view = traceView(TRACE, [api, worker]);
    expect(view?.spans.map((s) => [s.spanId, s.service, s.depth, s.parentSpanId])).toEqual([
      ['a', 'cairn-api', 0, null],
      ['w', 'cairn-worker', 0, 'gone'],
    ]);
    expect(view?.services).toEqual(['cairn-api', 'cairn-worker']);
    expect(view?.durationMs).toBe(6);
  });

  it('shows a failed span with its status or exception message and its attributes', () => {
    const failed = span('a', null, 0, 1_000, {
      tags: [
        { key: 'span.kind', value: 'client' },
        { key: 'error', value: true },
        { key: 'otel.status_code', value: 'ERROR' },
        { key: 'db.system', value: 'weaviate' },
        { key: 'http.status_code', value: 503 },
      ],
      logs: [
        {
          timestamp: T0 + 400,
          fields: [
            { key: 'event', value: 'exception' },
            { key: 'exception.message', value: 'connect ECONNREFUSED' },
          ],
        },
      ],
    });
    const view = traceView(TRACE, [
      { traceID: TRACE, spans: [failed], processes: { p1: { serviceName: 'cairn-worker' } } },
    ]);
    const [only] = view!.spans;
    expect(only).toMatchObject({
      kind: 'client',
      error: true,
      errorMessage: 'connect ECONNREFUSED',
      attributes: { 'db.system': 'weaviate', 'http.status_code': 503 },
      events: [
        {
          offsetMs: 0.4,
          name: 'exception',
          attributes: { 'exception.message': 'connect ECONNREFUSED' },
        },
      ],
    });
    expect(only.attributes).not.toHaveProperty('span.kind');
    expect(view?.errors).toBe(1);
  });

  it('is null for a trace with no spans', () => {
    expect(traceView(TRACE, [])).toBeNull();
  });
});

describe('traceSummaries', () => {
  it('gives each trace its root, span count and errors, newest first', () => {
    const older: JaegerTrace = {
      traceID: 'b'.repeat(32),
      spans: [
        { ...span('x', null, 0, 1_000), traceID: 'b'.repeat(32), operationName: 'POST /documents' },
      ],
      processes: { p1: { serviceName: 'cairn-api' } },
    };
    const newer: JaegerTrace = {
      traceID: TRACE,
      spans: [span('a', null, 9_000_000, 3_000), span('b', 'a', 9_001_000, 1_000)],
      processes: { p1: { serviceName: 'cairn-worker' } },
    };
    expect(traceSummaries([older, newer])).toEqual([
      expect.objectContaining({
        traceId: TRACE,
        rootName: 'op-a',
        rootService: 'cairn-worker',
        spans: 2,
        errors: 0,
        durationMs: 3,
      }),
      expect.objectContaining({ traceId: 'b'.repeat(32), rootName: 'POST /documents', spans: 1 }),
    ]);
  });
});
