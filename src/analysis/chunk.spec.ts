import { chunkDocument, type TextChunk } from './chunk';
import type { ExtractedDocument } from './extracted-document';

function expectExactSpans(document: ExtractedDocument, chunks: TextChunk[]): void {
  chunks.forEach((chunk, index) => {
    expect(chunk.ord).toBe(index);
    expect(chunk.text).toBe(document.text.slice(chunk.start, chunk.end));
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
    if (index > 0) expect(chunk.start).toBeGreaterThanOrEqual(chunks[index - 1].end);
  });
}

describe('chunkDocument', () => {
  it('packs whole sentences up to the target size', () => {
    const text = 'One short sentence. Another short one!  A third? And a fourth one here.';
    const chunks = chunkDocument({ text }, { targetChars: 40, maxChars: 80 });
    expect(chunks).toEqual([
      { ord: 0, text: 'One short sentence. Another short one!', start: 0, end: 38 },
      { ord: 1, text: 'A third? And a fourth one here.', start: 40, end: 71 },
    ]);
  });

  it('keeps a whole document in one chunk when it fits', () => {
    const text = '\n  Hello world. Goodbye.\n';
    expect(chunkDocument({ text })).toEqual([
      { ord: 0, text: 'Hello world. Goodbye.', start: 3, end: 24 },
    ]);
  });

  it('never cuts a sentence that fits within maxChars, even above the target', () => {
    const long = `Every ${'word '.repeat(30).trim()}.`;
    const text = `Short. ${long} Tail.`;
    const chunks = chunkDocument({ text }, { targetChars: 50, maxChars: 200 });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['Short.', long, 'Tail.']);
    expectExactSpans({ text }, chunks);
  });

  it('cuts a sentence longer than maxChars on whitespace', () => {
    const text = `${'abcd '.repeat(10).trim()} end.`;
    const chunks = chunkDocument({ text }, { targetChars: 10, maxChars: 12 });
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      'abcd abcd',
      'abcd abcd',
      'abcd abcd',
      'abcd abcd',
      'abcd abcd',
      'end.',
    ]);
    expectExactSpans({ text }, chunks);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(12);
  });

  it('cuts a run without whitespace hard, but never inside a surrogate pair', () => {
    const text = '😀'.repeat(10);
    const chunks = chunkDocument({ text }, { targetChars: 5, maxChars: 5 });
    expectExactSpans({ text }, chunks);
    expect(chunks.map((chunk) => chunk.text.length)).toEqual([4, 4, 4, 4, 4]);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
  });

  it('never lets a chunk cross a page boundary and sets the page number', () => {
    const document: ExtractedDocument = {
      text: 'Page one starts. Page one ends.\n\nPage two only.\n\n\n\nPage four.',
      pages: [
        { number: 1, start: 0, end: 31 },
        { number: 2, start: 33, end: 47 },
        { number: 3, start: 47, end: 47 },
        { number: 4, start: 51, end: 61 },
      ],
    };
    const chunks = chunkDocument(document, { targetChars: 1000 });
    expect(chunks).toEqual([
      {
        ord: 0,
        text: 'Page one starts. Page one ends.',
        start: 0,
        end: 31,
        page: 1,
        locator: 'page 1',
      },
      { ord: 1, text: 'Page two only.', start: 33, end: 47, page: 2, locator: 'page 2' },
      { ord: 2, text: 'Page four.', start: 51, end: 61, page: 4, locator: 'page 4' },
    ]);
  });

  it('names the rows a chunk covers and never joins two sections of different labels', () => {
    const text =
      'slide one text.\n\nName: Ada; Role: engineer.\nName: Bob; Role: cook.\nName: Cy; Role: pilot.';
    const document = {
      text,
      sections: [
        { label: 'slide 1', start: 0, end: 15 },
        { label: 'sheet People', row: 2, start: 17, end: 43 },
        { label: 'sheet People', row: 3, start: 44, end: 66 },
        { label: 'sheet People', row: 4, start: 67, end: 89 },
      ],
    };
    const chunks = chunkDocument(document, { targetChars: 50, maxChars: 100 });
    expectExactSpans(document, chunks);
    expect(chunks.map(({ text: chunkText, locator }) => [chunkText, locator])).toEqual([
      ['slide one text.', 'slide 1'],
      ['Name: Ada; Role: engineer.\nName: Bob; Role: cook.', 'sheet People, rows 2–3'],
      ['Name: Cy; Role: pilot.', 'sheet People, row 4'],
    ]);
  });

  it('treats a line break as a sentence boundary (headings, list items)', () => {
    const text = 'Heading without a full stop\nThe body sentence follows.';
    const chunks = chunkDocument({ text }, { targetChars: 30, maxChars: 60 });
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      'Heading without a full stop',
      'The body sentence follows.',
    ]);
  });

  it('returns no chunks for blank text and rejects nonsensical sizes', () => {
    expect(chunkDocument({ text: '  \n ' })).toEqual([]);
    expect(() => chunkDocument({ text: 'x' }, { targetChars: 100, maxChars: 10 })).toThrow(
      RangeError,
    );
  });
});
