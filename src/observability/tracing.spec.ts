import { context, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Request, Response } from 'express';
import { chosenTracesExporters, tracingDisabled } from './tracing';
import { traceparentOf, traceResponseMiddleware } from './trace-context';

describe('chosenTracesExporters', () => {
  it('exports nowhere by default, so nothing dials a collector that is not there', () => {
    expect(chosenTracesExporters({})).toEqual(['none']);
    expect(chosenTracesExporters({ OTEL_TRACES_EXPORTER: ' ' })).toEqual(['none']);
  });

  it('sends OTLP once an endpoint is configured', () => {
    expect(chosenTracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual([
      'otlp',
    ]);
    expect(
      chosenTracesExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toEqual(['otlp']);
  });

  it('follows an explicit OTEL_TRACES_EXPORTER, endpoint or not', () => {
    expect(chosenTracesExporters({ OTEL_TRACES_EXPORTER: 'console' })).toEqual(['console']);
    expect(
      chosenTracesExporters({
        OTEL_TRACES_EXPORTER: 'None',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      }),
    ).toEqual(['none']);
    expect(chosenTracesExporters({ OTEL_TRACES_EXPORTER: 'otlp, console' })).toEqual([
      'otlp',
      'console',
    ]);
  });
});

describe('tracingDisabled', () => {
  it('is true only for OTEL_SDK_DISABLED=true', () => {
    expect(tracingDisabled({ OTEL_SDK_DISABLED: 'TRUE' })).toBe(true);
    expect(tracingDisabled({ OTEL_SDK_DISABLED: 'false' })).toBe(false);
    expect(tracingDisabled({})).toBe(false);
  });
});

describe('traceparentOf', () => {
  it('writes the W3C form: version, trace id, span id, two-digit flags', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    expect(traceparentOf({ traceId, spanId, traceFlags: TraceFlags.SAMPLED })).toBe(
      `00-${traceId}-${spanId}-01`,
    );
    expect(traceparentOf({ traceId, spanId, traceFlags: TraceFlags.NONE })).toBe(
      `00-${traceId}-${spanId}-00`,
    );
  });
});

describe('traceResponseMiddleware', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => {
    contextManager.disable();
    context.disable();
  });

  /** The headers the middleware sets on a response inside a request's span. */
  function headersSet(traceUiUrl?: string): Record<string, string> {
    const headers: Record<string, string> = {};
    const response = {
      setHeader: (name: string, value: string) => (headers[name] = value),
      once: () => response,
    } as unknown as Response;
    const span = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    const next = jest.fn();
    context.with(trace.setSpan(context.active(), span), () =>
      traceResponseMiddleware(traceUiUrl)({} as Request, response, next),
    );
    expect(next).toHaveBeenCalled();
    return headers;
  }

  it("links the trace's page in Jaeger when CAIRN_JAEGER_UI_URL is set", () => {
    expect(headersSet('http://127.0.0.1:16686/jaeger/')).toEqual({
      'X-Trace-Id': traceId,
      traceparent: `00-${traceId}-${spanId}-01`,
      'X-Trace-Url': `http://127.0.0.1:16686/jaeger/trace/${traceId}`,
    });
  });

  it('sets no link without it', () => {
    expect(Object.keys(headersSet(''))).toEqual(['X-Trace-Id', 'traceparent']);
  });
});
