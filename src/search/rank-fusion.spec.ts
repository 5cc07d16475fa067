import { reciprocalRankFusion } from './rank-fusion';

describe('reciprocalRankFusion', () => {
  it('adds weight / (k + rank) over the rankings an item appears in', () => {
    const fused = reciprocalRankFusion(
      [
        { signal: 'vector', weight: 1, ids: ['a', 'b'] },
        { signal: 'keyword', weight: 2, ids: ['b', 'c'] },
      ],
      10,
    );
    expect(fused.map((item) => item.id)).toEqual(['b', 'c', 'a']);
    const b = fused[0];
    expect(b.parts.vector).toBeCloseTo(1 / 12);
    expect(b.parts.keyword).toBeCloseTo(2 / 11);
    expect(b.score).toBeCloseTo(1 / 12 + 2 / 11);
    expect(b.ranks).toEqual({ vector: 2, keyword: 1 });
    expect(fused[2].parts.keyword).toBe(0);
  });

  it('ignores rankings of weight 0 and repeated ids within one ranking', () => {
    const fused = reciprocalRankFusion([
      { signal: 'vector', weight: 1, ids: ['a', 'a', 'b'] },
      { signal: 'graph', weight: 0, ids: ['z'] },
    ]);
    expect(fused.map((item) => item.id)).toEqual(['a', 'b']);
    expect(fused[0].ranks.vector).toBe(1);
    expect(fused[1].ranks.vector).toBe(3);
  });

  it('keeps the first appearance order on ties', () => {
    const fused = reciprocalRankFusion([
      { signal: 'vector', weight: 1, ids: ['a'] },
      { signal: 'keyword', weight: 1, ids: ['b'] },
    ]);
    expect(fused.map((item) => item.id)).toEqual(['a', 'b']);
  });
});
