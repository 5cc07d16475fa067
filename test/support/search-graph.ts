import { WorkspaceGraph, type RelationRow } from '../../src/search/workspace-graph';

/**
 * A small graph for unit tests. Chunks: c1 names Alice Smith and Acme Corp ("Alice Smith founded
 * Acme Corp"), c2 names Acme Corp and Springfield, c3 names only Springfield, c4 names Bob and
 * 2010, c5..c9 name 2010 (a hub).
 */
export function testingGraph(): WorkspaceGraph {
  const entity = (key: string, name: string, type: string, aliases: string[] = []) => ({
    key,
    name,
    type,
    aliases,
  });
  const relation = (
    source: string,
    target: string,
    predicate: string,
    chunk: string,
  ): RelationRow => ({
    source,
    target,
    predicate,
    weight: 1,
    chunkId: `${chunk}:0`,
    documentId: chunk,
  });
  return new WorkspaceGraph({
    entities: [
      entity('alice smith', 'Alice Smith', 'person', ['A. Smith']),
      entity('acme corp', 'Acme Corp', 'organization', ['ACME']),
      entity('springfield', 'Springfield', 'place'),
      entity('bob', 'Bob', 'person'),
      entity('2010', '2010', 'date'),
    ],
    chunks: [
      { id: 'd1:0', documentId: 'd1', entityKeys: ['alice smith', 'acme corp'] },
      { id: 'd2:0', documentId: 'd2', entityKeys: ['acme corp', 'springfield'] },
      { id: 'd3:0', documentId: 'd3', entityKeys: ['springfield'] },
      { id: 'd4:0', documentId: 'd4', entityKeys: ['bob', '2010'] },
      ...[5, 6, 7, 8, 9].map((n) => ({ id: `d${n}:0`, documentId: `d${n}`, entityKeys: ['2010'] })),
    ],
    relations: [
      relation('alice smith', 'acme corp', 'founded', 'd1'),
      relation('acme corp', 'springfield', 'is based in', 'd2'),
      relation('bob', '2010', 'born in', 'd4'),
    ],
    documents: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ({ id: `d${n}`, title: `Doc ${n}` })),
  });
}
