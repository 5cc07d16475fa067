// Analysis over the public MuSiQue-100 corpus beside the repository (../shared/datasets): real
// passages rather than made-up ones, so these run here and not among the unit tests.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chunkDocument } from '../../src/analysis/chunk';
import { detectLanguage } from '../../src/analysis/language';

const corpusPath = resolve(__dirname, '../../../shared/datasets/musique-100/corpus.json');
const passages = JSON.parse(readFileSync(corpusPath, 'utf8')) as { text: string }[];

describe('analysis of the MuSiQue-100 passages', () => {
  it('has the whole corpus to look at', () => {
    expect(passages).toHaveLength(1_890);
  });

  it('chunks every passage into exact, trimmed, ordered spans of at most 2,000 characters', () => {
    for (const { text } of passages) {
      const chunks = chunkDocument({ text });
      expect(chunks.length).toBeGreaterThan(0);
      chunks.forEach((chunk, index) => {
        expect(chunk.ord).toBe(index);
        expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
        expect(chunk.text).toBe(chunk.text.trim());
        expect(chunk.text.length).toBeLessThanOrEqual(2000);
        if (index > 0) expect(chunk.start).toBeGreaterThanOrEqual(chunks[index - 1].end);
      });
    }
  });

  it('calls the English passages English', () => {
    const english = passages.filter(({ text }) => detectLanguage(text) === 'en').length;
    expect(english / passages.length).toBeGreaterThan(0.99);
  });
});
