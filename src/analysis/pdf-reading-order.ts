import bidiFactory from 'bidi-js';

/** One text item of a PDF page as pdf.js reports it (its string already in logical order). */
export interface PdfTextItem {
  str: string;
  /** Left edge of the item on the page (user space). */
  x: number;
  /** pdf.js saw the end of a line after this item. */
  eol: boolean;
}

const bidi = bidiFactory();

const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const RIGHT_TO_LEFT_LETTERS = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/gu;
const LEFT_TO_RIGHT_LETTERS = /[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/gu;
// Hebrew and Arabic presentation forms (contextual shapes and ligatures such as lam-alef) and
// Latin ligatures (fi, fl): PDF writers map glyphs to them, people type the base letters.
const PRESENTATION_FORMS = /[\ufb00-\ufdff\ufe70-\ufefc]+/gu;

/**
 * A page's text in reading order. pdf.js puts each item's characters in logical order, but it
 * returns the items of a line in the order the content stream draws them — for right-to-left
 * lines often left to right (visual order), so a justified Arabic or Hebrew line, whose words are
 * separate items, would read backwards. Such lines are laid out left to right by position and
 * reordered by the Unicode bidirectional algorithm in the line's dominant direction.
 */
export function pageTextInReadingOrder(items: readonly PdfTextItem[]): string {
  let text = '';
  let line: PdfTextItem[] = [];
  const flush = (): void => {
    text += lineText(line);
    line = [];
  };
  for (const item of items) {
    line.push(item);
    if (item.eol) {
      flush();
      text += '\n';
    }
  }
  flush();
  return normalisePresentationForms(text);
}

/** Presentation forms and ligatures to the letters they stand for (NFKC on those runs only). */
export function normalisePresentationForms(text: string): string {
  return text.replace(PRESENTATION_FORMS, (run) => run.normalize('NFKC'));
}

function lineText(items: readonly PdfTextItem[]): string {
  const written = items.filter((item) => item.str.trim() !== '');
  const concatenated = items.map((item) => item.str).join('');
  if (written.length < 2 || !RIGHT_TO_LEFT.test(concatenated)) return concatenated;

  const direction = dominantDirection(concatenated);
  // Back to what the page shows, left to right: each item's own logical string is reordered into
  // its visual form (the algorithm's reordering undoes itself on a run), then the whole line.
  const visual = [...items]
    .map((item, index) => ({ item, index }))
    .sort((a, b) => a.item.x - b.item.x || a.index - b.index)
    .map(({ item }) => reorder(item.str, direction))
    .join('');
  return reorder(visual, direction);
}

function dominantDirection(text: string): 'ltr' | 'rtl' {
  const rightToLeft = text.match(RIGHT_TO_LEFT_LETTERS)?.length ?? 0;
  const leftToRight = text.match(LEFT_TO_RIGHT_LETTERS)?.length ?? 0;
  return rightToLeft >= leftToRight ? 'rtl' : 'ltr';
}

/** The string with every run the bidirectional algorithm flips reversed. */
function reorder(text: string, direction: 'ltr' | 'rtl'): string {
  if (!RIGHT_TO_LEFT.test(text) && direction === 'ltr') return text;
  const characters = [...text];
  // bidi-js works on UTF-16 indices; the scripts concerned are all in the BMP, so a string with
  // astral characters is left as it is rather than split inside a surrogate pair.
  if (characters.length !== text.length) return text;
  const levels = bidi.getEmbeddingLevels(text, direction);
  for (const [start, end] of bidi.getReorderSegments(text, levels)) {
    const reversed = characters.slice(start, end + 1).reverse();
    characters.splice(start, reversed.length, ...reversed);
  }
  return characters.join('');
}
