import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { chunkIdFor } from '../../src/documents/document-ids';
import { DomainGraphRepository } from '../../src/domains/domain-graph.repository';
import {
  DocumentGraphRepository,
  type DocumentGraph,
} from '../../src/knowledge/document-graph.repository';
import { EntitiesService } from '../../src/search/entities.service';
import {
  DEFAULT_NEIGHBOURHOOD_LIMITS,
  GraphNeighbourhoods,
} from '../../src/search/graph-neighbourhood';
import { checkCypherScope } from '../../src/stores/neo4j/cypher-scope';
import { Neo4jGraphStore, UnscopedGraphQueryError } from '../../src/stores/neo4j/neo4j-graph.store';

jest.setTimeout(60_000);

/** One document whose two chunks mention two shared entities, related once. */
function documentGraph(documentId: string): DocumentGraph {
  const mention = (ord: number, surface: string) => ({
    chunkId: chunkIdFor(documentId, ord),
    start: 0,
    end: surface.length,
    surface,
  });
  return {
    documentId,
    title: `scope ${documentId}`,
    chunks: [0, 1].map((ord) => ({
      ord,
      text: `chunk ${ord}`,
      start: ord * 10,
      end: ord * 10 + 7,
    })),
    knowledge: {
      entities: [
        {
          key: 'place:oslo',
          name: 'Oslo',
          type: 'place',
          aliases: [],
          mentions: [mention(0, 'Oslo')],
        },
        {
          key: 'place:bergen',
          name: 'Bergen',
          type: 'place',
          aliases: ['Bjørgvin'],
          mentions: [mention(0, 'Bergen'), mention(1, 'Bergen')],
        },
      ],
      relations: [
        {
          sourceKey: 'place:oslo',
          targetKey: 'place:bergen',
          predicate: 'near',
          chunkId: chunkIdFor(documentId, 0),
          evidence: 'Oslo and Bergen',
          weight: 1,
        },
      ],
    },
  };
}

/**
 * Every Cypher statement the repositories send, recorded by the store while they do their work
 * against the real Neo4j (write, re-write, count, read the workspace graph, link a domain, read
 * its subgraph, remove), then read node pattern by node pattern.
 */
describe('Cypher workspace scoping (real Neo4j, every statement the repositories run)', () => {
  const store = new Neo4jGraphStore(loadConfig());
  const statements = store.recordStatements();
  const documents = new DocumentGraphRepository(store);
  const domains = new DomainGraphRepository(store);
  const neighbourhoods = new GraphNeighbourhoods(store);
  const entities = new EntitiesService(store);
  const workspaceId = `scope-${randomUUID().slice(0, 8)}`;
  const otherWorkspaceId = `scope-${randomUUID().slice(0, 8)}`;
  const [first, second] = [randomUUID(), randomUUID()];
  const domainId = randomUUID();

  beforeAll(async () => {
    await store.ensureSchema();
    await documents.writeDocuments(workspaceId, [documentGraph(first), documentGraph(second)]);
    await documents.writeDocuments(otherWorkspaceId, [documentGraph(first)]);
    // Writing again replaces: the statements that remove the previous graph run too.
    await documents.writeDocuments(workspaceId, [documentGraph(first)]);
    expect(await documents.documentsInGraph(workspaceId, [first, second])).toHaveLength(2);
    await documents.countContributions(workspaceId, [first, second]);
    await documents.chunkEntityKeys(workspaceId, [first]);
    // Search's reads: linking a query (keys and the name index), a neighbourhood, hit chunks.
    const links = await neighbourhoods.linkQuery(workspaceId, 'Is Bjørgvin near Oslo?', []);
    expect(links.map((link) => link.key).sort()).toEqual(['place:bergen', 'place:oslo']);
    const graph = await neighbourhoods.neighbourhood(workspaceId, randomUUID(), {
      entities: new Map([['place:oslo', 1]]),
      chunks: new Map([[chunkIdFor(first, 1), 1]]),
      hops: 2,
      limits: DEFAULT_NEIGHBOURHOOD_LIMITS,
      dateWeight: 0.25,
    });
    expect(graph.entityKeys.sort()).toEqual(['place:bergen', 'place:oslo']);
    await neighbourhoods.withChunks(workspaceId, graph, [chunkIdFor(first, 0)], true);
    // The entity pages' reads.
    expect((await entities.search(workspaceId, 'Berg', 5)).map((entity) => entity.key)).toEqual([
      'place:bergen',
    ]);
    expect((await entities.get(workspaceId, 'place:oslo')).relations).toHaveLength(1);
    expect((await entities.neighborhood(workspaceId, 'place:oslo', 2, 10)).edges).toHaveLength(1);
    expect(await domains.linkDocuments(workspaceId, { id: domainId, name: 'Scope' }, [first])).toBe(
      1,
    );
    expect(await domains.linkedDocumentIds(workspaceId, domainId)).toEqual([first]);
    await domains.subgraph(workspaceId, domainId);
    await domains.removeDomain(workspaceId, domainId);
    await documents.removeDocuments(workspaceId, [first, second]);
    await documents.removeDocuments(otherWorkspaceId, [first]);
  });
  afterAll(async () => {
    await store.onModuleDestroy();
  });

  it('records the statements of every repository', () => {
    const all = [...statements].join('\n');
    expect(statements.size).toBeGreaterThanOrEqual(12);
    for (const label of ['Document', 'Chunk', 'Entity', 'Domain'])
      expect(all).toContain(`:${label}`);
    for (const clause of ['MATCH', 'MERGE', 'CREATE'])
      expect(all).toMatch(new RegExp(`\\b${clause}\\b`));
  });

  it('binds every node pattern of every statement to $workspaceId', () => {
    let patterns = 0;
    for (const statement of statements) {
      const report = checkCypherScope(statement);
      expect({ statement, problems: report.problems }).toEqual({ statement, problems: [] });
      const unbound = report.nodes.filter((node) => !node.bound).map((node) => node.text);
      expect({ statement, unbound }).toEqual({ statement, unbound: [] });
      patterns += report.nodes.length;
    }
    expect(patterns).toBeGreaterThanOrEqual(statements.size);
  });

  it('left nothing of either workspace behind', async () => {
    for (const workspace of [workspaceId, otherWorkspaceId]) {
      const [{ nodes }] = await store.run<{ nodes: number }>(
        'MATCH (n) WHERE n.workspaceId = $workspaceId RETURN count(n) AS nodes',
        { workspaceId: workspace },
        'read',
      );
      expect(nodes).toBe(0);
    }
  });

  it('refuses an unscoped statement before it reaches Neo4j, in run() and in a transaction', async () => {
    await store.run('CREATE (:SmokeRecord {workspaceId: $workspaceId, id: $id, value: 1})', {
      workspaceId,
      id: 'guard',
    });
    const unscoped =
      'MATCH (s:SmokeRecord) WHERE s.id = $id AND s.note = $workspaceId DETACH DELETE s';
    await expect(
      store.run(unscoped, { workspaceId: otherWorkspaceId, id: 'guard' }),
    ).rejects.toThrow(UnscopedGraphQueryError);
    await expect(
      store.transaction(otherWorkspaceId, (tx) =>
        tx.run('MATCH (s:SmokeRecord {id: $id}) DELETE s', { id: 'guard' }),
      ),
    ).rejects.toThrow(UnscopedGraphQueryError);
    expect(statements.has(unscoped)).toBe(false);
    // The record is still there: neither statement ran.
    const rows = await store.run<{ value: number }>(
      'MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) RETURN s.value AS value',
      { workspaceId, id: 'guard' },
      'read',
    );
    expect(rows).toEqual([{ value: 1 }]);
    await store.run('MATCH (s:SmokeRecord {workspaceId: $workspaceId, id: $id}) DELETE s', {
      workspaceId,
      id: 'guard',
    });
  });
});
