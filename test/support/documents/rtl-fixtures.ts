// Right-to-left PDFs as word processors write them: each word shaped by the font (Arabic letters
// joined, lam-alef as one ligature glyph whose text is the presentation form), drawn as its own
// text object at its place on a justified line, and the words drawn left to right — visual
// order, so the content stream holds the line backwards. The font is Debian's DejaVu Sans
// (fonts-dejavu-core, installed by `bash infra/stack.sh install`), which has Arabic and Hebrew.
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';

export const RIGHT_TO_LEFT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface RightToLeftPdfOptions {
  /** Space between words in points: wide gaps (justified text) make pdf.js split the line. */
  wordGap?: number;
  fontSize?: number;
}

/** One page per inner array, one line per string; right-to-left lines are right-aligned. */
export async function buildRightToLeftPdf(
  pages: string[][],
  { wordGap = 24, fontSize = 14 }: RightToLeftPdfOptions = {},
): Promise<Buffer> {
  const fontBytes = readFileSync(RIGHT_TO_LEFT_FONT);
  const shaper = fontkit.create(fontBytes);
  // The presentation-form code point the font maps to each shaped glyph, as a writer's ToUnicode
  // table would name it (isolated, initial, medial, final forms and ligatures).
  const presentationForms = new Map<number, number>();
  for (const codePoint of shaper.characterSet) {
    if (codePoint >= 0xfb50 && codePoint <= 0xfefc) {
      presentationForms.set(shaper.glyphForCodePoint(codePoint).id, codePoint);
    }
  }

  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(fontBytes, { subset: true });
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, lineIndex) => {
      const y = 780 - lineIndex * (fontSize * 2);
      if (!isRightToLeft(line)) {
        page.drawText(line, { x: 50, y, size: fontSize, font });
        return;
      }
      let right = 545;
      const words: { x: number; text: string }[] = [];
      for (const word of line.split(' ')) {
        // fontkit shapes and returns the glyphs left to right; pdf-lib lays the string out again
        // (reversing a right-to-left run), so it gets the shaped forms in logical order.
        const visual = shaper
          .layout(word)
          .glyphs.map((glyph) =>
            String.fromCodePoint(
              ...(presentationForms.has(glyph.id)
                ? [presentationForms.get(glyph.id)!]
                : glyph.codePoints),
            ),
          );
        const shaped = isRightToLeft(word) ? visual.reverse().join('') : visual.join('');
        const width = font.widthOfTextAtSize(shaped, fontSize);
        words.push({ x: right - width, text: shaped });
        right -= width + wordGap;
      }
      // A word left of the margin would fall off the page, and readers drop what is off the page.
      if (words.some(({ x }) => x < 50))
        throw new Error(`the line is too long for the page: ${line}`);
      words.sort((a, b) => a.x - b.x);
      for (const { x, text } of words) page.drawText(text, { x, y, size: fontSize, font });
    });
  }
  return Buffer.from(await pdf.save());
}

function isRightToLeft(word: string): boolean {
  return /[\u0590-\u08ff]/u.test(word);
}
