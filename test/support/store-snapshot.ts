import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from '../../workers/worker.module';
import { Neo4jGraphStore } from '../../src/stores/neo4j/neo4j-graph.store';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';
import { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { artifactKey, blobKey, workspacePrefix } from '../../src/stores/s3/blob-keys';
import { chunkObjectId } from '../../src/documents/document-ids';
import {
  CHUNK_COLLECTION,
  WeaviateVectorStore,
} from '../../src/stores/weaviate/weaviate-vector.store';

// What the stores hold for a workspace or one document, read straight from the engines, as plain
// values that `toEqual` can compare before and after an operation.

export interface StoreClients {
  graph: Neo4jGraphStore;
  vectors: WeaviateVectorStore;
  blobs: S3BlobStore;
  postgres: PostgresStore;
}

/** The workers' Nest context (same configuration and clients as the pipeline); close it after. */
export async function openStores(): Promise<{
  app: INestApplicationContext;
  stores: StoreClients;
}> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
  return {
    app,
    stores: {
      graph: app.get(Neo4jGraphStore),
      vectors: app.get(WeaviateVectorStore),
      blobs: app.get(S3BlobStore),
      postgres: app.get(PostgresStore),
    },
  };
}

export interface SnapshotOptions {
  /**
   * Also every property of every node, relationship and Weaviate object, and a hash of every
   * MinIO object's bytes. Meant for small test workspaces.
   */
  detailed?: boolean;
}

export interface WorkspaceSnapshot {
  neo4j: {
    /** label → node count */
    nodes: Record<string, number>;
    /** relationship type → count (relationships that start in the workspace) */
    relationships: Record<string, number>;
    entityKeys: string[];
    documentIds: string[];
    /** One line per node and relationship with all of its properties (detailed only). */
    fingerprint?: string[];
  };
  weaviate: {
    objectIds: string[];
    /** One line per object: id and properties (detailed only). */
    fingerprint?: string[];
  };
  minio: {
    keys: string[];
    /** key → sha256 of the bytes (detailed only). */
    hashes?: Record<string, string>;
  };
  /** Rows of the workspace's documents, without updated_at (which any write touches). */
  postgres: Record<string, unknown>[];
}

export async function snapshotWorkspace(
  stores: StoreClients,
  workspaceId: string,
  options: SnapshotOptions = {},
): Promise<WorkspaceSnapshot> {
  const [neo4j, weaviate, minio, postgres] = await Promise.all([
    graphOfWorkspace(stores.graph, workspaceId, options),
    vectorsOfWorkspace(stores.vectors, workspaceId, options),
    blobsUnder(stores.blobs, workspacePrefix(workspaceId), options),
    documentRows(stores.postgres, workspaceId),
  ]);
  return { neo4j, weaviate, minio, postgres };
}

export interface DocumentSnapshot {
  neo4j: {
    chunks: number;
    mentions: number;
    /** RELATED_TO edges this document evidences */
    relations: number;
    /** Entities its chunks mention */
    entityKeys: string[];
  };
  weaviate: { objectIds: string[] };
  /** Its artifacts, plus its original blob when present. */
  minio: { keys: string[] };
}

/** What one document contributed to the graph, the vector index and MinIO. */
export async function snapshotDocument(
  stores: StoreClients,
  workspaceId: string,
  documentId: string,
  /** The document's bytes, to include its original blob. */
  sha256?: string,
): Promise<DocumentSnapshot> {
  const [counts] = await stores.graph.run<{
    chunks: number;
    mentions: number;
    relations: number;
    entityKeys: string[];
  }>(
    `OPTIONAL MATCH (c:Chunk {workspaceId: $workspaceId, documentId: $documentId})
     OPTIONAL MATCH (c)-[m:MENTIONS]->(e:Entity)
     WITH count(DISTINCT c) AS chunks, count(m) AS mentions, collect(DISTINCT e.key) AS entityKeys
     OPTIONAL MATCH (:Entity {workspaceId: $workspaceId})-[r:RELATED_TO {documentId: $documentId}]->()
     RETURN chunks, mentions, count(r) AS relations, entityKeys`,
    { workspaceId, documentId },
    'read',
  );
  const objectIds: string[] = [];
  if (await tenantExists(stores.vectors, workspaceId)) {
    const collection = stores.vectors.collection(workspaceId);
    const result = await collection.query.fetchObjects({
      filters: collection.filter.byProperty('documentId').equal(documentId),
      limit: 10_000,
      returnProperties: ['ord'],
    });
    objectIds.push(...result.objects.map((object) => object.uuid));
  }
  const artifacts = await stores.blobs.list(artifactKey(workspaceId, documentId, 'x').slice(0, -1));
  const blob = sha256 ? blobKey(workspaceId, sha256) : undefined;
  const keys = blob && (await stores.blobs.stat(blob)) ? [...artifacts, blob] : artifacts;
  return {
    neo4j: {
      chunks: counts?.chunks ?? 0,
      mentions: counts?.mentions ?? 0,
      relations: counts?.relations ?? 0,
      entityKeys: [...(counts?.entityKeys ?? [])].sort(),
    },
    weaviate: { objectIds: objectIds.sort() },
    minio: { keys: keys.sort() },
  };
}

/** Removes every trace of a test workspace from all four stores. */
export async function dropWorkspace(stores: StoreClients, workspaceId: string): Promise<void> {
  await stores.graph.run('MATCH (n {workspaceId: $workspaceId}) DETACH DELETE n', { workspaceId });
  if (await tenantExists(stores.vectors, workspaceId)) {
    await stores.vectors.removeTenant(workspaceId);
  }
  await stores.blobs.removeMany(await stores.blobs.list(workspacePrefix(workspaceId)));
  await stores.postgres.queryInWorkspace(workspaceId, 'DELETE FROM workspaces WHERE id = $1', [
    workspaceId,
  ]);
}

async function graphOfWorkspace(
  graph: Neo4jGraphStore,
  workspaceId: string,
  options: SnapshotOptions,
): Promise<WorkspaceSnapshot['neo4j']> {
  const [nodeRows, relationshipRows, entityRows, documentRows] = await Promise.all([
    graph.run<{ label: string; count: number }>(
      `MATCH (n {workspaceId: $workspaceId}) UNWIND labels(n) AS label
       RETURN label, count(*) AS count`,
      { workspaceId },
      'read',
    ),
    graph.run<{ type: string; count: number }>(
      `MATCH ({workspaceId: $workspaceId})-[r]->() RETURN type(r) AS type, count(r) AS count`,
      { workspaceId },
      'read',
    ),
    graph.run<{ key: string }>(
      'MATCH (e:Entity {workspaceId: $workspaceId}) RETURN e.key AS key ORDER BY key',
      { workspaceId },
      'read',
    ),
    graph.run<{ id: string }>(
      'MATCH (d:Document {workspaceId: $workspaceId}) RETURN d.id AS id ORDER BY id',
      { workspaceId },
      'read',
    ),
  ]);
  const snapshot: WorkspaceSnapshot['neo4j'] = {
    nodes: Object.fromEntries(nodeRows.map((row) => [row.label, row.count]).sort()),
    relationships: Object.fromEntries(relationshipRows.map((row) => [row.type, row.count]).sort()),
    entityKeys: entityRows.map((row) => row.key),
    documentIds: documentRows.map((row) => row.id),
  };
  if (options.detailed) {
    const nodes = await graph.run<{ labels: string[]; properties: Record<string, unknown> }>(
      'MATCH (n {workspaceId: $workspaceId}) RETURN labels(n) AS labels, properties(n) AS properties',
      { workspaceId },
      'read',
    );
    const relationships = await graph.run<{
      type: string;
      properties: Record<string, unknown>;
      from: string;
      to: string;
    }>(
      `MATCH (a {workspaceId: $workspaceId})-[r]->(b)
       RETURN type(r) AS type, properties(r) AS properties,
              coalesce(a.id, a.key) AS from, coalesce(b.id, b.key) AS to`,
      { workspaceId },
      'read',
    );
    snapshot.fingerprint = [
      ...nodes.map(
        (node) => `(${[...node.labels].sort().join(':')} ${stableJson(node.properties)})`,
      ),
      ...relationships.map(
        (rel) => `(${rel.from})-[${rel.type} ${stableJson(rel.properties)}]->(${rel.to})`,
      ),
    ].sort();
  }
  return snapshot;
}

async function vectorsOfWorkspace(
  vectors: WeaviateVectorStore,
  workspaceId: string,
  options: SnapshotOptions,
): Promise<WorkspaceSnapshot['weaviate']> {
  if (!(await tenantExists(vectors, workspaceId))) {
    return options.detailed ? { objectIds: [], fingerprint: [] } : { objectIds: [] };
  }
  const objectIds: string[] = [];
  const fingerprint: string[] = [];
  const iterator = vectors.collection(workspaceId).iterator({ includeVector: !!options.detailed });
  for await (const object of iterator) {
    objectIds.push(object.uuid);
    if (options.detailed) {
      const vector = Object.values(object.vectors ?? {}).flat();
      fingerprint.push(
        `${object.uuid} ${stableJson(object.properties)} vector:${hashJson(vector)}`,
      );
    }
  }
  return options.detailed
    ? { objectIds: objectIds.sort(), fingerprint: fingerprint.sort() }
    : { objectIds: objectIds.sort() };
}

async function blobsUnder(
  blobs: S3BlobStore,
  prefix: string,
  options: SnapshotOptions,
): Promise<WorkspaceSnapshot['minio']> {
  const keys = (await blobs.list(prefix)).sort();
  if (!options.detailed) return { keys };
  const hashes: Record<string, string> = {};
  for (const key of keys) {
    hashes[key] = createHash('sha256')
      .update(await blobs.get(key))
      .digest('hex');
  }
  return { keys, hashes };
}

async function documentRows(
  postgres: PostgresStore,
  workspaceId: string,
): Promise<Record<string, unknown>[]> {
  return postgres.queryInWorkspace(
    workspaceId,
    `SELECT id, sha256, title, mime, size_bytes, status, stage, error, workflow_id, counts,
            stage_timings, language, created_at
     FROM documents WHERE workspace_id = $1 ORDER BY id`,
    [workspaceId],
  );
}

async function tenantExists(vectors: WeaviateVectorStore, workspaceId: string): Promise<boolean> {
  const tenants = vectors.client.collections.use(CHUNK_COLLECTION).tenants;
  return (await tenants.getByName(workspaceId)) !== null;
}

/** JSON with object keys sorted, so that equal values give equal strings. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : inner,
  );
}

function hashJson(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

// ---- Full dumps, for "exactly as if it had never been uploaded" ----

/**
 * Everything the four stores hold for a workspace, one sorted line per item, with what
 * legitimately differs between two workspaces holding the same documents replaced by stable
 * labels: the workspace id, document ids (derived from workspace and bytes: labelled by their
 * bytes' sha256), Weaviate object ids (derived from workspace and chunk id: labelled by the
 * chunk), timestamps and stage timings. Everything else is compared as stored: every Neo4j node
 * and relationship with all properties, every Weaviate object with its properties and a hash of
 * its vector, every MinIO key with a hash of its bytes, every row of every Postgres table that
 * has a workspace_id column (and the workspace's own row). The audit log is left out: it is the
 * one place meant to remember that a document was uploaded and deleted.
 */
export interface WorkspaceDump {
  neo4j: string[];
  weaviate: string[];
  minio: string[];
  postgres: string[];
}

/** Tables a dump leaves out (see WorkspaceDump). */
const UNDUMPED_TABLES = new Set(['audit_log', 'audit_outbox']);

export async function dumpWorkspace(
  stores: StoreClients,
  workspaceId: string,
): Promise<WorkspaceDump> {
  const rows = await workspaceRows(stores.postgres, workspaceId);
  const documentLabels = new Map<string, string>();
  for (const row of rows.documents ?? []) {
    documentLabels.set(String(row.id), `<document ${String(row.sha256).slice(0, 16)}>`);
  }
  // Graph and vector index may hold documents whose row is gone (a delete that left traces):
  // their ids stay as they are, and make the dump differ.
  const normalise = (text: string): string => {
    let result = text.split(workspaceId).join('<workspace>');
    for (const [id, label] of documentLabels) result = result.split(id).join(label);
    return result;
  };
  const [neo4j, weaviate, minio] = await Promise.all([
    dumpGraph(stores.graph, workspaceId),
    dumpVectors(stores.vectors, workspaceId),
    dumpBlobs(stores.blobs, workspaceId),
  ]);
  const postgres = Object.entries(rows).flatMap(([table, tableRows]) =>
    tableRows.map((row) => `${table} ${stableJson(normaliseRow(row))}`),
  );
  return {
    neo4j: neo4j.map(normalise).sort(),
    weaviate: weaviate.map(normalise).sort(),
    minio: minio.map(normalise).sort(),
    postgres: postgres.map(normalise).sort(),
  };
}

/** Every node of the workspace and every relationship that touches one, with all properties. */
export async function dumpGraph(graph: Neo4jGraphStore, workspaceId: string): Promise<string[]> {
  const nodes = await graph.run<{ labels: string[]; properties: Record<string, unknown> }>(
    `MATCH (n) WHERE n.workspaceId = $workspaceId
     RETURN labels(n) AS labels, properties(n) AS properties`,
    { workspaceId },
    'read',
  );
  // Relationships from the workspace's nodes, and any into them from elsewhere (which would be a
  // leak between workspaces, and makes the dump differ).
  const endpoints = `RETURN type(r) AS type, properties(r) AS properties,
       labels(a)[0] + ' ' + coalesce(a.id, a.key) + ' ' + coalesce(a.workspaceId, '-') AS from,
       labels(b)[0] + ' ' + coalesce(b.id, b.key) + ' ' + coalesce(b.workspaceId, '-') AS to`;
  type Relationship = {
    type: string;
    properties: Record<string, unknown>;
    from: string;
    to: string;
  };
  const relationships = [
    ...(await graph.run<Relationship>(
      `MATCH (a)-[r]->(b) WHERE a.workspaceId = $workspaceId ${endpoints}`,
      { workspaceId },
      'read',
    )),
    ...(await graph.run<Relationship>(
      `MATCH (b)<-[r]-(a) WHERE b.workspaceId = $workspaceId
         AND coalesce(a.workspaceId, '') <> $workspaceId ${endpoints}`,
      { workspaceId },
      'read',
    )),
  ];
  return [
    ...nodes.map((node) => `(${[...node.labels].sort().join(':')} ${stableJson(node.properties)})`),
    ...relationships.map(
      (rel) => `(${rel.from})-[${rel.type} ${stableJson(rel.properties)}]->(${rel.to})`,
    ),
  ];
}

async function dumpVectors(vectors: WeaviateVectorStore, workspaceId: string): Promise<string[]> {
  if (!(await tenantExists(vectors, workspaceId))) return [];
  const lines: string[] = [];
  for await (const object of vectors.collection(workspaceId).iterator({ includeVector: true })) {
    const { documentId, ord } = object.properties;
    // A deterministic id is labelled by its chunk; any other id stays and makes the dump differ.
    const id =
      object.uuid === chunkObjectId(workspaceId, documentId, ord)
        ? `<chunk ${documentId}:${ord}>`
        : object.uuid;
    const vector = Object.values(object.vectors ?? {}).flat();
    lines.push(`${id} ${stableJson(object.properties)} vector:${hashJson(vector)}`);
  }
  return lines;
}

async function dumpBlobs(blobs: S3BlobStore, workspaceId: string): Promise<string[]> {
  const lines: string[] = [];
  for (const key of await blobs.list(workspacePrefix(workspaceId))) {
    lines.push(
      `${key} ${createHash('sha256')
        .update(await blobs.get(key))
        .digest('hex')}`,
    );
  }
  return lines;
}

/** Rows by table: every table with a workspace_id column, and the workspace's row. */
async function workspaceRows(
  postgres: PostgresStore,
  workspaceId: string,
): Promise<Record<string, Record<string, unknown>[]>> {
  const tables = await postgres.queryInWorkspace<{ table_name: string }>(
    workspaceId,
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND column_name = 'workspace_id'
     ORDER BY table_name`,
    [],
  );
  const rows: Record<string, Record<string, unknown>[]> = {
    workspaces: await postgres.queryInWorkspace(
      workspaceId,
      'SELECT * FROM workspaces WHERE id = $1',
      [workspaceId],
    ),
  };
  for (const { table_name: table } of tables) {
    if (UNDUMPED_TABLES.has(table)) continue;
    // The name comes from the catalogue, quoted as an identifier; the workspace is a parameter.
    rows[table] = await postgres.queryInWorkspace(
      workspaceId,
      `SELECT * FROM "${table.replace(/"/g, '""')}" WHERE workspace_id = $1`,
      [workspaceId],
    );
  }
  return rows;
}

/** Timestamps and stage timings differ between any two runs: only whether they are set counts. */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) =>
      (column.endsWith('_at') || column === 'stage_timings') && value !== null
        ? [column, '<set>']
        : [column, value instanceof Date ? value.toISOString() : value],
    ),
  );
}
