import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

const tracer = trace.getTracer('cairn');

/**
 * Runs one call to a store the auto-instrumentations do not see (Neo4j's Bolt protocol,
 * Weaviate's gRPC and fetch calls) in a client span, child of whatever is active (an HTTP
 * request, an activity). Without a registered SDK the tracer is a no-op.
 */
export function inClientSpan<T>(
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

// Query texts are parametrised (values never inline), so they are safe to record; long ones are
// cut to keep spans small.
const MAX_QUERY_TEXT = 2_000;

/** OpenTelemetry database attributes for one Cypher statement. */
export function cypherAttributes(cypher: string, workspaceId: string): Attributes {
  const operation = /^\s*(\w+)/.exec(cypher)?.[1]?.toUpperCase() ?? 'QUERY';
  return {
    'db.system': 'neo4j',
    'db.operation.name': operation,
    'db.query.text': cypher.length > MAX_QUERY_TEXT ? cypher.slice(0, MAX_QUERY_TEXT) : cypher,
    'cairn.workspace_id': workspaceId,
  };
}

/** OpenTelemetry database attributes for one Weaviate operation on a workspace's tenant. */
export function weaviateAttributes(operation: string, workspaceId: string): Attributes {
  return {
    'db.system': 'weaviate',
    'db.operation.name': operation,
    'db.collection.name': 'Chunk',
    'cairn.workspace_id': workspaceId,
  };
}

/**
 * Attributes of an outgoing HTTP call made with fetch (undici, which the http instrumentation
 * does not see). Only the origin is recorded: paths and queries may carry tokens.
 */
export function fetchAttributes(method: string, url: string): Attributes {
  const { protocol, hostname, port } = new URL(url);
  return {
    'http.request.method': method,
    'server.address': hostname,
    'server.port': Number(port || (protocol === 'https:' ? 443 : 80)),
  };
}

/** Headers that hand the active trace to the receiver of an outgoing call (W3C traceparent). */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
