import { TraceFlags } from '@opentelemetry/api';
import { chosenTracesExporters, tracingDisabled } from './tracing';
import { traceparentOf } from './trace-context';

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
