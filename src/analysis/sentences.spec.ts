import { chunkDocument } from './chunk';
import { sentenceSpans } from './sentences';

const whole = (text: string): [number, number][] =>
  [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map(
    ({ index, segment }) => [index, index + segment.length],
  );

describe('sentenceSpans', () => {
  it('finds the same sentences as one pass of the segmenter, window by window', () => {
    const text = Array.from(
      { length: 400 },
      (_, index) => `Sentence number ${index} ends here${index % 7 === 0 ? '!\n\n' : '. '}`,
    ).join('');
    expect([...sentenceSpans(text, 0, text.length, 500)]).toEqual(whole(text));
  });

  it('covers a region without gaps, cutting a sentence longer than a window', () => {
    const text = `Intro. ${'word '.repeat(300)}end. Outro.`;
    const spans = [...sentenceSpans(text, 3, text.length, 256)];
    expect(spans[0][0]).toBe(3);
    expect(spans[spans.length - 1][1]).toBe(text.length);
    spans.slice(1).forEach(([start], index) => expect(start).toBe(spans[index][1]));
    expect(Math.max(...spans.map(([start, end]) => end - start))).toBeLessThanOrEqual(256);
  });

  it('keeps chunking linear: 2 MB of prose and a million short lines in seconds', () => {
    for (const text of ['Word is here. '.repeat(150_000), `${'a\n'.repeat(1_000_000)}b`]) {
      const started = Date.now();
      const chunks = chunkDocument({ text });
      // Before the windows: over an hour. The bound is loose for a busy machine.
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(
        chunks
          .map((chunk) => chunk.text)
          .join('')
          .replace(/\s/g, ''),
      ).toBe(text.replace(/\s/g, ''));
    }
  });
});
