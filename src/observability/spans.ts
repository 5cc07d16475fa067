import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

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
