import type { ChunkCandidate } from './chunk-retriever';
import type { FusedItem } from './rank-fusion';
import { fuseSecondRound, withSecondRound } from './second-round';

const item = (id: string, score: number): FusedItem => ({
  id,
  score,
  parts: { vector: score, keyword: 0, graph: 0 },
  ranks: { vector: 1 },
});

const chunk = (chunkId: string, title: string, entityKeys: string[] = []): ChunkCandidate => ({
  chunkId,
  documentId: chunkId.split(':')[0],
  title,
  text: `${title} text`,
  start: 0,
  end: 10,
  page: null,
  locator: null,
  entityKeys,
});

describe('second round fusion', () => {
  it('adds the round as graph contributions and reorders', () => {
    const fused = fuseSecondRound([item('a', 0.05), item('b', 0.04)], ['b', 'c'], 2, 30);
    // c: 2/32 = 0.0625 from the round alone, above a's 0.05.
    expect(fused.map((entry) => entry.id)).toEqual(['b', 'c', 'a']);
    expect(fused[0].parts.graph).toBeCloseTo(2 / 31);
    expect(fused[1].score).toBeCloseTo(2 / 32);
  });

  it('leaves the order alone when turned off', () => {
    const fused = [item('a', 0.05), item('b', 0.04)];
    expect(fuseSecondRound(fused, ['b'], 0, 30)).toEqual(fused);
  });

  it('asks the title index for the bridges of the best hit and ranks the passages about them', async () => {
    const byChunk = new Map([
      ['d1:0', chunk('d1:0', 'Yellow Submarine', ['beatles', 'liverpool'])],
    ]);
    const asked: { query: string; properties?: readonly string[] }[] = [];
    const retriever = {
      byKeywords: (
        _workspaceId: string,
        query: string,
        _limit: number,
        _filters: object,
        properties?: readonly ('title' | 'text')[],
      ) => {
        asked.push({ query, properties });
        return Promise.resolve([chunk('d9:0', 'Elsewhere'), chunk('d2:0', 'The Beatles')]);
      },
    };
    const fused = await withSecondRound(retriever, {
      workspaceId: 'ws',
      query: 'Who sang Yellow Submarine?',
      queryEntityKeys: new Set(['yellow submarine']),
      fused: [item('d1:0', 0.05)],
      byChunk,
      filters: {},
      pool: 50,
      tuning: { fromHits: 1, weight: 2, keepBest: false },
      rrfK: 30,
    });
    expect(asked).toEqual([{ query: 'beatles liverpool', properties: ['title'] }]);
    expect(fused.map((entry) => entry.id)).toEqual(['d2:0', 'd1:0']);
    expect(byChunk.has('d2:0')).toBe(true);
  });

  it('keeps the hit the bridges came from first when told to', async () => {
    const byChunk = new Map([['d1:0', chunk('d1:0', 'Yellow Submarine', ['beatles'])]]);
    const retriever = {
      byKeywords: () => Promise.resolve([chunk('d2:0', 'The Beatles')]),
    };
    const fused = await withSecondRound(retriever, {
      workspaceId: 'ws',
      query: 'Who sang Yellow Submarine?',
      queryEntityKeys: new Set(['yellow submarine']),
      fused: [item('d1:0', 0.05), item('d3:0', 0.04)],
      byChunk,
      filters: {},
      pool: 50,
      tuning: { fromHits: 1, weight: 2, keepBest: true },
      rrfK: 30,
    });
    expect(fused.map((entry) => entry.id)).toEqual(['d1:0', 'd2:0', 'd3:0']);
  });
});
