import { extractText } from './extract-text';
import { normalisePresentationForms, pageTextInReadingOrder } from './pdf-reading-order';
import { buildPdf } from '../../test/support/documents/document-fixtures';
import { buildRightToLeftPdf } from '../../test/support/documents/rtl-fixtures';

const ARABIC = 'تقع مكتبة الإسكندرية على شاطئ البحر المتوسط';
const ARABIC_SECOND_LINE = 'وهي تضم ملايين الكتب لا تحصى';
const HEBREW = 'הספרייה הלאומית נמצאת בירושלים';

describe('pageTextInReadingOrder', () => {
  it('reads a right-to-left line whose words pdf.js returned left to right', () => {
    // What pdf.js reports for a justified Arabic line drawn in visual order.
    const items = [
      { str: 'البحر', x: 41, eol: false },
      { str: ' ', x: 70, eol: false },
      { str: 'شاطئ', x: 130, eol: false },
      { str: ' ', x: 169, eol: false },
      { str: 'على', x: 229, eol: true },
      { str: 'سطر', x: 300, eol: false },
    ];
    expect(pageTextInReadingOrder(items)).toBe('على شاطئ البحر\nسطر');
  });

  it('keeps numbers and Latin words inside a right-to-left line in their own order', () => {
    const items = [
      { str: 'Cairn', x: 10, eol: false },
      { str: ' ', x: 50, eol: false },
      { str: '2026', x: 60, eol: false },
      { str: ' ', x: 95, eol: false },
      { str: 'المعرفة', x: 100, eol: false },
      { str: ' ', x: 160, eol: false },
      { str: 'نظام', x: 170, eol: false },
    ];
    expect(pageTextInReadingOrder(items)).toBe('نظام المعرفة Cairn 2026');
  });

  it('leaves left-to-right lines exactly as pdf.js wrote them', () => {
    const items = [
      { str: 'Second', x: 80, eol: false },
      { str: 'First ', x: 10, eol: true },
      { str: 'Next line', x: 10, eol: false },
    ];
    expect(pageTextInReadingOrder(items)).toBe('SecondFirst \nNext line');
  });

  it('turns presentation forms and ligatures into the letters people type', () => {
    expect(normalisePresentationForms('ﺗﻘﻊ اﻹﺳﻜﻨﺪرﻳﺔ ﬁnd')).toBe('تقع الإسكندرية find');
    expect(normalisePresentationForms('שָׁלוֹם')).toBe('שָׁלוֹם');
  });
});

describe('extractText: right-to-left PDFs', () => {
  it.each([
    ['a justified line (one text item per word)', 24],
    ['a tightly set line (one text item)', 3],
  ])('reads Arabic in logical order from %s', async (_label, wordGap) => {
    const pdf = await buildRightToLeftPdf([[ARABIC, ARABIC_SECOND_LINE], ['Page two']], {
      wordGap,
    });
    const document = await extractText(pdf, 'pdf');
    expect(document.text).toBe(`${ARABIC}\n${ARABIC_SECOND_LINE}\n\nPage two`);
    expect(document.pages?.map((page) => page.number)).toEqual([1, 2]);
  });

  it('reads Hebrew in logical order', async () => {
    const pdf = await buildRightToLeftPdf([[HEBREW]], { wordGap: 30 });
    expect((await extractText(pdf, 'pdf')).text).toBe(HEBREW);
  });

  it('still reads left-to-right PDFs as before', async () => {
    const pdf = await buildPdf([['Plain English line.', 'And a second one.']]);
    expect((await extractText(pdf, 'pdf')).text).toBe('Plain English line.\nAnd a second one.');
  });
});
