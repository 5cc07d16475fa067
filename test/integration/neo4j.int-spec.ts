import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { Neo4jGraphStore, UnscopedGraphQueryError } from '../../src/stores/neo4j/neo4j-graph.store';

jest.setTimeout(30_000);

describe('Neo4jGraphStore (real Neo4j)', () => {
  const store = new Neo4jGraphStore(loadConfig());
  const workspaceId = `it-${randomUUID().slice(0, 8)}`;
  const otherWorkspaceId = `it-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    // Twice: creating the schema is idempotent.
    await store.ensureSchema();
    await store.ensureSchema();
  });
  afterAll(async () => {
    for (const id of [workspaceId, otherWorkspaceId]) {
      await store.run('MATCH (n {workspaceId: $workspaceId}) DETACH DELETE n', { workspaceId: id });
    }
    await store.onModuleDestroy();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('has the per-workspace uniqueness constraints', async () => {
    const session = store.driver.session();
    try {
      const result = await session.run(
        'SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type',
      );
      const constraints = result.records.map((record) => ({
        label: (record.get('labelsOrTypes') as string[])[0],
        properties: record.get('properties') as string[],
        type: record.get('type') as string,
      }));
      for (const [label, key] of [
        ['Document', 'id'],
        ['Chunk', 'id'],
        ['Domain', 'id'],
        ['Entity', 'key'],
        ['SmokeRecord', 'id'],
      ]) {
        expect(constraints).toContainEqual({
          label,
          properties: ['workspaceId', key],
          type: 'UNIQUENESS',
        });
      }
    } finally {
      await session.close();
    }
  });

  it('writes, reads back and deletes a node', async () => {
    const id = randomUUID();
    await store.run(
      'MERGE (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) SET s.value = $value',
      {
        workspaceId,
        id,
        value: 'hello',
      },
    );
    const rows = await store.run<{ value: string; n: number }>(
      'MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) RETURN s.value AS value, count(*) AS n',
      { workspaceId, id },
      'read',
    );
    expect(rows).toEqual([{ value: 'hello', n: 1 }]);
    await store.run('MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) DELETE s', {
      workspaceId,
      id,
    });
    const after = await store.run(
      'MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) RETURN s',
      {
        workspaceId,
        id,
      },
    );
    expect(after).toEqual([]);
  });

  it('keeps ids unique per workspace, not globally', async () => {
    const key = 'person:ada lovelace';
    const create = 'CREATE (:Entity {workspaceId: $workspaceId, key: $key})';
    await store.run(create, { workspaceId, key });
    await store.run(create, { workspaceId: otherWorkspaceId, key });
    await expect(store.run(create, { workspaceId, key })).rejects.toThrow(/already exists/);
  });

  it('runs several statements in one transaction, all or nothing', async () => {
    const documentId = randomUUID();
    const created = await store.transaction(workspaceId, async (tx) => {
      await tx.run('MERGE (:Document {workspaceId: $workspaceId, id: $documentId})', {
        documentId,
      });
      await tx.run(
        `MATCH (d:Document {workspaceId: $workspaceId, id: $documentId})
         MERGE (d)-[:HAS_CHUNK]->(:Chunk {workspaceId: $workspaceId, id: $chunkId})`,
        { documentId, chunkId: `${documentId}:0` },
      );
      return tx.run<{ chunks: number }>(
        'MATCH (:Document {workspaceId: $workspaceId, id: $documentId})-[:HAS_CHUNK]->(c) RETURN count(c) AS chunks',
        { documentId },
      );
    });
    expect(created).toEqual([{ chunks: 1 }]);

    const failedId = randomUUID();
    await expect(
      store.transaction(workspaceId, async (tx) => {
        await tx.run('CREATE (:Document {workspaceId: $workspaceId, id: $failedId})', { failedId });
        await tx.run('MATCH (n:Document) RETURN n'); // unscoped: refused, so the whole transaction rolls back
      }),
    ).rejects.toThrow(UnscopedGraphQueryError);
    const leftovers = await store.run(
      'MATCH (d:Document {workspaceId: $workspaceId, id: $failedId}) RETURN d',
      {
        workspaceId,
        failedId,
      },
    );
    expect(leftovers).toEqual([]);
  });

  it('refuses a statement without a workspace id', async () => {
    await expect(
      store.run('MATCH (n:Entity) RETURN n', {} as unknown as { workspaceId: string }),
    ).rejects.toBeInstanceOf(UnscopedGraphQueryError);
    await expect(
      store.run('MATCH (n:Entity {workspaceId: $workspaceId}) RETURN n', { workspaceId: '' }),
    ).rejects.toThrow(UnscopedGraphQueryError);
    await expect(store.run('MATCH (n:Entity) RETURN n', { workspaceId })).rejects.toThrow(
      UnscopedGraphQueryError,
    );
  });
});
