import { context, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { NextFunction, Request, Response } from 'express';

/** The ids of the span active here, for log lines; empty when nothing is traced. */
export function activeTraceFields(): { traceId?: string; spanId?: string } {
  const spanContext = activeSpanContext();
  return spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
}

function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** W3C traceparent of a span context: version 00, trace id, span id, flags. */
export function traceparentOf(spanContext: SpanContext): string {
  const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

export const TRACE_ID_HEADER = 'X-Trace-Id';
export const TRACE_URL_HEADER = 'X-Trace-Url';

/**
 * Echoes the request's trace on the response (X-Trace-Id, and traceparent naming the API's server
 * span), so a caller can quote it and an operator can find the trace and the log lines; with
 * `traceUiUrl` (CAIRN_JAEGER_UI_URL) also X-Trace-Url, the trace's page in Jaeger, which the
 * console and the CLI show. Also names the server span after the matched route
 * (GET /documents/:id) once routing is done.
 */
export function traceResponseMiddleware(traceUiUrl = '') {
  const traceBase = traceUiUrl.replace(/\/+$/, '');
  return (request: Request, response: Response, next: NextFunction): void =>
    echoTrace(traceBase, request, response, next);
}

function echoTrace(
  traceBase: string,
  request: Request,
  response: Response,
  next: NextFunction,
): void {
  const spanContext = activeSpanContext();
  if (spanContext) {
    response.setHeader(TRACE_ID_HEADER, spanContext.traceId);
    response.setHeader('traceparent', traceparentOf(spanContext));
    if (traceBase)
      response.setHeader(TRACE_URL_HEADER, `${traceBase}/trace/${spanContext.traceId}`);
    const rpcMetadata = getRPCMetadata(context.active());
    response.once('finish', () => {
      const route = (request.route as { path?: unknown } | undefined)?.path;
      if (rpcMetadata?.type === RPCType.HTTP && typeof route === 'string') {
        rpcMetadata.route = `${request.baseUrl}${route}`;
      }
    });
  }
  next();
}
