import { UnprocessableDocumentError } from './errors';
import { extractText } from './extract-text';
import {
  buildDocx,
  buildEncryptedPdf,
  buildPdf,
  buildZip,
  docxEntries,
  zeros,
} from '../../test/support/documents/document-fixtures';

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UnprocessableDocumentError) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('expected an UnprocessableDocumentError');
}

describe('extractText: PDF', () => {
  it('joins the pages with exact page spans and reads the title', async () => {
    const pdf = await buildPdf(
      [['First page, line one.', 'Line two.'], ['Second page.'], ['Third page ends here.']],
      'Quarterly Report',
    );
    const document = await extractText(pdf, 'pdf');
    expect(document).toEqual({
      text: 'First page, line one.\nLine two.\n\nSecond page.\n\nThird page ends here.',
      title: 'Quarterly Report',
      pages: [
        { number: 1, start: 0, end: 31 },
        { number: 2, start: 33, end: 45 },
        { number: 3, start: 47, end: 68 },
      ],
    });
    const pageTexts = document.pages?.map(({ start, end }) => document.text.slice(start, end));
    expect(pageTexts).toEqual([
      'First page, line one.\nLine two.',
      'Second page.',
      'Third page ends here.',
    ]);
  });

  it('keeps an empty page as an empty span', async () => {
    const pdf = await buildPdf([['Before.'], [], ['After.']]);
    const document = await extractText(pdf, 'pdf');
    expect(document.text).toBe('Before.\n\nAfter.');
    expect(document.pages).toEqual([
      { number: 1, start: 0, end: 7 },
      { number: 2, start: 7, end: 7 },
      { number: 3, start: 9, end: 15 },
    ]);
  });

  it('refuses a password-protected PDF as encrypted_pdf', async () => {
    expect(await failure(extractText(buildEncryptedPdf(), 'pdf'))).toEqual({
      code: 'encrypted_pdf',
      message: 'The PDF is encrypted and needs a password; upload an unprotected copy.',
    });
  });

  it('refuses a damaged PDF as corrupt_document', async () => {
    const result = await failure(extractText(Buffer.from('%PDF-1.7\nnot really a pdf\n'), 'pdf'));
    expect(result).toEqual({
      code: 'corrupt_document',
      message: 'The PDF is damaged or not a valid PDF (Invalid PDF structure).',
    });
  });

  it('refuses a PDF without text', async () => {
    const pdf = await buildPdf([[]]);
    expect((await failure(extractText(pdf, 'pdf'))).code).toBe('no_text');
  });

  it('refuses a PDF with more pages than allowed', async () => {
    const pdf = await buildPdf([['a'], ['b'], ['c']]);
    expect(await failure(extractText(pdf, 'pdf', { maxPdfPages: 2 }))).toEqual({
      code: 'too_large',
      message: 'The PDF has 3 pages; at most 2 are accepted.',
    });
  });
});

describe('extractText: DOCX', () => {
  it('extracts the paragraphs', async () => {
    const docx = await buildDocx(['Hello world.', 'Second paragraph & more.']);
    expect(await extractText(docx, 'docx')).toEqual({
      text: 'Hello world.\n\nSecond paragraph & more.',
    });
  });

  it('takes the title from the core properties', async () => {
    const core = `<?xml version="1.0" encoding="UTF-8"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Q&amp;A  notes</dc:title></cp:coreProperties>`;
    const docx = await buildDocx(['Body.'], [{ name: 'docProps/core.xml', data: core }]);
    expect(await extractText(docx, 'docx')).toEqual({ text: 'Body.', title: 'Q&A notes' });
  });

  it('refuses a zip bomb before inflating it', async () => {
    // 200 MiB of zeros deflates to about 200 KiB: a compression ratio near 1,000.
    const bomb = await buildDocx(
      ['Innocent.'],
      [{ name: 'word/media/zeros.bin', data: zeros(200 * 1024 * 1024) }],
    );
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const result = await failure(extractText(bomb, 'docx'));
    expect(result.code).toBe('zip_bomb');
    expect(result.message).toMatch(/^The archive looks like a zip bomb: .*word\/media\/zeros\.bin/);
  }, 30_000);

  it('refuses an archive whose declared total size is over the limit', async () => {
    const docx = await buildDocx(
      ['Text.'],
      [{ name: 'word/media/blob.bin', data: Buffer.alloc(4096, 7) }],
    );
    const result = await failure(extractText(docx, 'docx', { maxUncompressedBytes: 2048 }));
    expect(result.code).toBe('zip_bomb');
    expect(result.message).toMatch(
      /^The archive looks like a zip bomb: it expands to \d+\.\d KiB \(limit 2\.0 KiB\)\.$/,
    );
  });

  it('refuses an entry that inflates to more than its forged, declared size', async () => {
    const docx = await buildDocx(
      ['Text.'],
      [{ name: 'word/media/big.bin', data: Buffer.alloc(100_000, 1) }],
    );
    forgeDeclaredSize(docx, 'word/media/big.bin', 100);
    const result = await failure(extractText(docx, 'docx'));
    expect(result).toEqual({
      code: 'zip_bomb',
      message:
        'The archive looks like a zip bomb: its entry word/media/big.bin inflates to more than its declared size.',
    });
  });

  it('refuses a DOCX with 5,000 entries, and accepts it under a higher limit', async () => {
    const filler = Array.from({ length: 4997 }, (_, index) => ({
      name: `customXml/item${index}.xml`,
      data: '<x/>',
      compress: false,
    }));
    const docx = await buildZip([...docxEntries(['Many parts.']), ...filler]);
    expect(await failure(extractText(docx, 'docx'))).toEqual({
      code: 'too_many_entries',
      message: 'The archive has 5000 entries; at most 1000 are accepted.',
    });
    await expect(extractText(docx, 'docx', { maxEntries: 10_000 })).resolves.toEqual({
      text: 'Many parts.',
    });
  }, 30_000);

  it('refuses a damaged archive', async () => {
    const docx = await buildDocx(['Text.']);
    expect((await failure(extractText(docx.subarray(0, docx.length - 30), 'docx'))).code).toBe(
      'corrupt_document',
    );
  });

  it('refuses a zip without a Word document part', async () => {
    const zip = await buildZip([{ name: 'readme.txt', data: 'hello' }]);
    expect((await failure(extractText(zip, 'docx'))).code).toBe('corrupt_document');
  });
});

describe('extractText: HTML', () => {
  const page = `<!DOCTYPE html>
<html><head><title> The   Page </title><style>p { color: red }</style>
<script>document.write('no')</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<h1>Main heading</h1>
<p>First paragraph with <b>bold</b>
   and <a href="#">a link</a>.</p>
<ul><li>One</li><li>Two &amp; three</li></ul>
<div>Line one<br>Line two</div>
<pre>
  indented code
</pre>
<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ada</td><td>36</td></tr></table>
</body></html>`;

  it('keeps the visible text with block boundaries as line breaks', async () => {
    expect(await extractText(Buffer.from(page), 'html')).toEqual({
      title: 'The Page',
      text: [
        'Main heading',
        '',
        'First paragraph with bold and a link.',
        '',
        'One',
        'Two & three',
        '',
        'Line one',
        'Line two',
        '',
        '  indented code',
        '',
        'Name Age',
        'Ada 36',
      ].join('\n'),
    });
  });

  it('falls back to the first h1 for the title', async () => {
    const html = '<html><body><h1>Only <i>heading</i></h1><p>Body.</p><h1>Later</h1></body></html>';
    expect(await extractText(Buffer.from(html), 'html')).toEqual({
      title: 'Only heading',
      text: 'Only heading\n\nBody.\n\nLater',
    });
  });

  it('refuses invalid UTF-8', async () => {
    const bytes = Buffer.from('<p>caf\xe9</p>', 'latin1');
    expect((await failure(extractText(bytes, 'html'))).code).toBe('invalid_utf8');
  });
});

describe('extractText: Markdown', () => {
  it('turns Markdown into text without markup, titled by the first heading', async () => {
    const source = [
      '# Getting *started*',
      '',
      'Some **bold** text that is',
      'wrapped, with a [link](https://example.com) and ![a diagram](d.png).',
      '',
      '- first item',
      '- second item',
      '',
      '```ts',
      'const answer = 42;',
      '```',
      '',
      '<div>raw <b>HTML</b> block</div>',
      '',
      '## Next',
      '',
      '> quoted `code`',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
    ].join('\r\n');
    expect(await extractText(Buffer.from(source), 'markdown')).toEqual({
      title: 'Getting started',
      text: [
        'Getting started',
        '',
        'Some bold text that is wrapped, with a link and a diagram.',
        '',
        'first item',
        'second item',
        '',
        'const answer = 42;',
        '',
        'raw HTML block',
        '',
        'Next',
        '',
        'quoted code',
        '',
        'a b',
        '1 2',
      ].join('\n'),
    });
  });
});

describe('extractText: plain text', () => {
  it('keeps the text as is, with CRLF and CR normalised and the BOM dropped', async () => {
    const bytes = Buffer.from('\ufeffLine one\r\nLine two\rLine three\n', 'utf8');
    expect(await extractText(bytes, 'text')).toEqual({
      text: 'Line one\nLine two\nLine three\n',
    });
  });

  it('refuses invalid UTF-8 and empty text', async () => {
    expect(await failure(extractText(Buffer.from([0x41, 0xff, 0x42]), 'text'))).toEqual({
      code: 'invalid_utf8',
      message: 'The document is not valid UTF-8 text.',
    });
    expect((await failure(extractText(Buffer.from(' \n '), 'text'))).code).toBe('no_text');
  });
});

/** Rewrites the uncompressed size in the central directory record of `name`. */
function forgeDeclaredSize(zip: Buffer, name: string, size: number): void {
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = zip.indexOf(signature); at >= 0; at = zip.indexOf(signature, at + 4)) {
    const nameLength = zip.readUInt16LE(at + 28);
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      zip.writeUInt32LE(size, at + 24);
      return;
    }
  }
  throw new Error(`no central directory record for ${name}`);
}
