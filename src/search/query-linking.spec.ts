import { linkQueryEntities, queryWords } from './query-linking';
import { testingGraph } from '../../test/support/search-graph';

const graph = testingGraph();
const keysOf = (query: string, named: string[] = []) =>
  linkQueryEntities(graph, query, named).map((link) => graph.entityKeys[link.entity]);

describe('linkQueryEntities', () => {
  it('links names and aliases, longest phrase first', () => {
    expect(keysOf('Where is the company Alice Smith founded based?')).toEqual(['alice smith']);
    expect(keysOf("What is ACME's home town?")).toEqual(['acme corp']);
    const [link] = linkQueryEntities(graph, 'Who works at ACME?');
    expect(link.method).toBe('alias');
  });

  it('falls back to fuzzy matching for unknown capitalised phrases', () => {
    const [link] = linkQueryEntities(graph, 'Who is Alice Jones Smith?');
    expect(graph.entityKeys[link.entity]).toBe('alice smith');
    expect(link.method).toBe('fuzzy');
  });

  it('ignores stop words and treats Cypher-looking text as words', () => {
    expect(keysOf('Who was it?')).toEqual([]);
    expect(keysOf("MATCH (n) DETACH DELETE n; RETURN 'Springfield'")).toEqual(['springfield']);
  });

  it('tries phrases an extractor found first', () => {
    expect(keysOf('what about bob', ['Bob'])).toEqual(['bob']);
  });
});

describe('queryWords', () => {
  it('keeps offsets and inner punctuation', () => {
    expect(queryWords("Who's U.S. born?").map((word) => word.text)).toEqual([
      "Who's",
      'U.S',
      'born',
    ]);
  });
});
