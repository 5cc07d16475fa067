import { generateUuid5 } from 'weaviate-client';
import type { Neo4jGraphStore } from '../../src/stores/neo4j/neo4j-graph.store';
import type { WeaviateVectorStore } from '../../src/stores/weaviate/weaviate-vector.store';
import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import type { EngineCheck, SmokeInput } from '../../src/pipeline/smoke.types';
import { TASK_QUEUES } from '../../src/pipeline/task-queues';

const VECTOR_DIMENSIONS = 384;

export const createStorageSmokeActivities = (
  graph: Neo4jGraphStore,
  vectors: WeaviateVectorStore,
  blobs: S3BlobStore,
) => ({
  async probeNeo4j({ workspaceId, probeId }: SmokeInput): Promise<EngineCheck> {
    const value = `probe ${probeId}`;
    await graph.run(
      'MERGE (s:SmokeRecord {workspaceId: $workspaceId, id: $probeId}) SET s.value = $value',
      { workspaceId, probeId, value },
      'write',
    );
    const rows = await graph.run<{ value: string }>(
      'MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $probeId}) RETURN s.value AS value',
      { workspaceId, probeId },
      'read',
    );
    await graph.run(
      'MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $probeId}) DELETE s',
      { workspaceId, probeId },
      'write',
    );
    return check('neo4j', rows[0]?.value === value, 'node merged, read back and deleted');
  },

  async probeWeaviate({ workspaceId, probeId }: SmokeInput): Promise<EngineCheck> {
    await vectors.ensureTenant(workspaceId);
    const chunks = vectors.collection(workspaceId);
    const id = generateUuid5(`smoke:${probeId}`);
    // A unit vector: the probe needs a valid 384-d vector, not a meaningful one.
    const vector = Array.from({ length: VECTOR_DIMENSIONS }, (_, index) => (index === 0 ? 1 : 0));
    const text = `probe ${probeId}`;
    await chunks.data.insert({
      id,
      properties: {
        text,
        title: 'smoke probe',
        documentId: probeId,
        workspaceId,
        ord: 0,
        startOffset: 0,
        endOffset: text.length,
        entityKeys: [],
      },
      vectors: vector,
    });
    const stored = await chunks.query.fetchObjectById(id);
    await chunks.data.deleteById(id);
    return check(
      'weaviate',
      stored?.properties.text === text,
      'object inserted, read back and deleted',
    );
  },

  async probeMinio({ workspaceId, probeId }: SmokeInput): Promise<EngineCheck> {
    const key = `ws/${workspaceId}/smoke/${probeId}`;
    const body = Buffer.from(`probe ${probeId}`);
    await blobs.put(key, body, body.length, 'text/plain');
    const readBack = await blobs.get(key);
    await blobs.remove(key);
    return check('minio', readBack.equals(body), 'object put, read back and removed');
  },
});

function check(engine: EngineCheck['engine'], ok: boolean, detail: string): EngineCheck {
  if (!ok) throw new Error(`${engine} probe read back something else than it wrote`);
  return { engine, taskQueue: TASK_QUEUES.storage, ok, detail };
}
