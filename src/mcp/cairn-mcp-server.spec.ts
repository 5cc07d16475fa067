import { textFromChunks } from './cairn-mcp-server';

describe('textFromChunks', () => {
  const text = 'Alpha beta gamma. Delta epsilon zeta. Eta theta.';
  const chunk = (ord: number, start: number, end: number) => ({
    ord,
    start,
    end,
    text: text.slice(start, end),
  });

  it('puts overlapping chunks back together once, in offset order', () => {
    expect(textFromChunks([chunk(1, 12, 37), chunk(0, 0, 18), chunk(2, 30, text.length)])).toBe(
      text,
    );
  });

  it('breaks the line where chunks leave a gap, and skips a chunk inside another', () => {
    expect(textFromChunks([chunk(0, 0, 17), chunk(1, 5, 10), chunk(2, 38, text.length)])).toBe(
      'Alpha beta gamma.\nEta theta.',
    );
  });

  it('is empty without chunks', () => expect(textFromChunks([])).toBe(''));
});
