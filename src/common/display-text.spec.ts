import { displayText, displayTextProblem, UNSAFE_DISPLAY_CHARACTERS } from './display-text';

describe('display text', () => {
  it.each([
    ['a right-to-left override', 'Invoice \u202efdp.exe'],
    ['a left-to-right embedding', 'a\u202ab'],
    ['a first-strong isolate', 'a\u2068b'],
    ['a pop directional isolate', 'a\u2069b'],
    ['a right-to-left mark', 'a\u200fb'],
    ['an Arabic letter mark', 'a\u061cb'],
    ['a NUL', 'a\u0000b'],
    ['an escape sequence', 'a\u001b[31mb'],
    ['a C1 control', 'a\u0085b'],
    ['a line break in a one-line name', 'a\nb'],
  ])('refuses %s', (_name, value) => {
    expect(displayTextProblem(value)).not.toBeNull();
    expect(UNSAFE_DISPLAY_CHARACTERS.test(value)).toBe(true);
    const result = displayText('title', 500).safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(/^title must not contain/);
  });

  it('accepts ordinary text in any script, and line breaks where text is multi-line', () => {
    for (const value of ['Curie, Marie', 'Tromsø 2026', 'مرحبا بالعالم', 'שלום', '東京 🚆']) {
      expect(displayText('name', 120).parse(` ${value} `)).toBe(value);
    }
    expect(displayText('description', 2000, { multiline: true }).parse('one\n\ttwo')).toBe(
      'one\n\ttwo',
    );
    expect(
      displayText('description', 2000, { multiline: true }).safeParse('a\u202eb').success,
    ).toBe(false);
  });

  it('keeps its length and emptiness rules', () => {
    expect(displayText('name', 3).safeParse('abcd').success).toBe(false);
    expect(displayText('name', 3).safeParse('   ').success).toBe(false);
    expect(displayText('name', 3, { allowEmpty: true }).parse('  ')).toBe('');
  });
});
