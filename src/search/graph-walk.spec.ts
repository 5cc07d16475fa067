import {
  entitiesWithinHops,
  personalizedPageRank,
  RelationPaths,
  DEFAULT_WALK_OPTIONS,
} from './graph-walk';
import { describePath } from './explanation';
import { testingGraph } from '../../test/support/search-graph';

const graph = testingGraph();
const id = (key: string) => graph.entityIndex.get(key)!;
const chunk = (chunkId: string) => graph.chunkIndex.get(chunkId)!;

describe('WorkspaceGraph', () => {
  it('indexes names and aliases by canonical key and pairs relations both ways', () => {
    expect(graph.nameIndex.get('acme')).toEqual([id('acme corp')]);
    expect(graph.nameIndex.get('a smith')).toEqual([id('alice smith')]);
    expect(graph.neighbors[id('acme corp')].map((n) => n.entity).sort()).toEqual(
      [id('alice smith'), id('springfield')].sort(),
    );
    expect(graph.mentionCount(id('2010'))).toBe(6);
  });
});

describe('entitiesWithinHops', () => {
  it('bounds the distance from the seeds by relations and co-mentions', () => {
    const seeds = { entities: new Map([[id('alice smith'), 1]]), chunks: new Map() };
    expect([...entitiesWithinHops(graph, seeds, 0).keys()]).toEqual([id('alice smith')]);
    expect(entitiesWithinHops(graph, seeds, 1).has(id('springfield'))).toBe(false);
    expect(entitiesWithinHops(graph, seeds, 2).get(id('springfield'))).toBe(2);
  });
});

describe('personalizedPageRank', () => {
  it('reaches the chunk two hops away that names neither seed', () => {
    const seeds = { entities: new Map([[id('alice smith'), 1]]), chunks: new Map() };
    const walk = personalizedPageRank(graph, seeds, { ...DEFAULT_WALK_OPTIONS, hops: 2 });
    expect(walk.chunkScores[chunk('d3:0')]).toBeGreaterThan(0);
    expect(walk.chunkScores[chunk('d1:0')]).toBeGreaterThan(walk.chunkScores[chunk('d3:0')]);
    expect(walk.chunkScores[chunk('d4:0')]).toBe(0);
    const total =
      walk.entityScores.reduce((sum, value) => sum + value, 0) +
      walk.chunkScores.reduce((sum, value) => sum + value, 0);
    expect(total).toBeCloseTo(1, 6);
  });

  it('with hops 0 reaches only the chunks that name a seed', () => {
    const seeds = { entities: new Map([[id('alice smith'), 1]]), chunks: new Map() };
    const walk = personalizedPageRank(graph, seeds, { ...DEFAULT_WALK_OPTIONS, hops: 0 });
    expect(walk.chunkScores[chunk('d1:0')]).toBeGreaterThan(0);
    expect(walk.chunkScores[chunk('d2:0')]).toBe(0);
  });

  it('lets a hub date soak up little of what a seed chunk passes on', () => {
    const seeds = { entities: new Map(), chunks: new Map([[chunk('d4:0'), 1]]) };
    const walk = personalizedPageRank(graph, seeds, { ...DEFAULT_WALK_OPTIONS, hops: 1 });
    expect(walk.entityScores[id('bob')]).toBeGreaterThan(walk.entityScores[id('2010')]);
  });

  it('returns nothing without seeds', () => {
    const walk = personalizedPageRank(graph, { entities: new Map(), chunks: new Map() });
    expect(walk.chunkScores.every((value) => value === 0)).toBe(true);
  });
});

describe('RelationPaths', () => {
  it('finds the shortest relation path and describes it with its direction', () => {
    const paths = new RelationPaths(graph, [id('springfield')], 2);
    const steps = paths.pathTo(id('alice smith'))!;
    expect(steps).toHaveLength(2);
    expect(describePath(graph, steps).text).toBe(
      'Springfield ←is based in— Acme Corp ←founded— Alice Smith',
    );
    expect(paths.pathTo(id('bob'))).toBeUndefined();
    expect(new RelationPaths(graph, [id('springfield')], 1).reaches(id('alice smith'))).toBe(false);
  });
});
