import { chunkDocument } from './chunk';
import { detectDocumentType } from './detect-type';
import { DocumentRejectedError, UnprocessableDocumentError } from './errors';
import { extractText } from './extract-text';
import type { ExtractedDocument } from './extracted-document';
import { randomBytes } from 'node:crypto';
import {
  buildDocx,
  buildZip,
  docxEntries,
  zeros,
  type ZipFixtureEntry,
} from '../../test/support/documents/document-fixtures';
import {
  buildEml,
  buildEpub,
  buildOdf,
  buildPptx,
  buildRtf,
  buildXlsx,
  entityBomb,
  odpBody,
  odsBody,
  odtBody,
} from '../../test/support/documents/format-fixtures';

async function read(name: string, bytes: Buffer): Promise<ExtractedDocument & { kind: string }> {
  const { kind } = detectDocumentType(bytes.subarray(0, 64 * 1024), name);
  return { kind, ...(await extractText(bytes, kind)) };
}

function located(document: ExtractedDocument): [string | undefined, string][] {
  return chunkDocument(document, { targetChars: 200 }).map((chunk) => [chunk.locator, chunk.text]);
}

async function refusal(name: string, bytes: Buffer): Promise<{ code: string; message: string }> {
  try {
    await read(name, bytes);
  } catch (error) {
    if (error instanceof UnprocessableDocumentError || error instanceof DocumentRejectedError) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

jest.setTimeout(120_000);

describe('new formats, detected from their bytes', () => {
  it('PowerPoint: slides in presentation order, tables as rows, notes without slide numbers', async () => {
    const pptx = await buildPptx(
      [
        { lines: ['Quarterly review', 'Revenue grew'], notes: ['Thank the team'] },
        {
          lines: ['Regions'],
          table: [
            ['Region', 'Sales'],
            ['North', '12'],
          ],
        },
      ],
      { title: 'Q3 deck' },
    );
    // A name saying otherwise does not matter when it promises nothing binary.
    const document = await read('upload.bin', pptx);
    expect(document.kind).toBe('pptx');
    expect(document.title).toBe('Q3 deck');
    expect(located(document)).toEqual([
      ['slide 1', 'Quarterly review\n\nRevenue grew'],
      ['slide 1 notes', 'Thank the team'],
      ['slide 2', 'Regions\n\nRegion | Sales\nNorth | 12'],
    ]);
  });

  it('Excel: each row with its column names, sheet and row numbers as locators', async () => {
    const xlsx = await buildXlsx([
      {
        name: 'People',
        rows: [
          ['Name', 'Role', 'Age'],
          ['Ada', 'engineer', 36],
          ['Bob', '', 40],
        ],
      },
      { name: 'Places', rows: [['City'], ['Lyon']] },
    ]);
    const document = await read('book.xlsx', xlsx);
    expect(document.kind).toBe('xlsx');
    expect(document.text).toBe(
      'Name | Role | Age\nName: Ada; Role: engineer; Age: 36\nName: Bob; Age: 40\n\nCity\nCity: Lyon',
    );
    expect(located(document).map(([locator]) => locator)).toEqual([
      'sheet People, rows 1–3',
      'sheet Places, rows 1–2',
    ]);
    const small = chunkDocument(document, { targetChars: 40 });
    expect(small.map((chunk) => chunk.locator)).toContain('sheet People, row 2');
  });

  it('Excel: serial numbers in date and time formats read as dates and times', async () => {
    const styles = {
      // 0 general, 1 built-in date, 2 built-in time, 3 custom date-time, 4 custom text with a quoted "d"
      cellFormats: [0, 14, 20, 164, 165],
      formats: { 164: 'yyyy-mm-dd hh:mm:ss', 165: '0.00" days"' },
    };
    const rows = [
      ['Plain', 'Due', 'At', 'Stamp', 'Span'],
      [
        45322,
        { value: 45322, style: 1 },
        { value: 0.6041666667, style: 2 },
        { value: 45322.5001157, style: 3 },
        { value: 2.5, style: 4 },
      ],
    ];
    const document = await read(
      'dates.xlsx',
      await buildXlsx([{ name: 'Plan', rows }], { styles }),
    );
    expect(document.text.split('\n')[1]).toBe(
      'Plain: 45322; Due: 2024-01-31; At: 14:30; Stamp: 2024-01-31 12:00:10; Span: 2.5',
    );
    const early = await read(
      'early.xlsx',
      await buildXlsx(
        [{ name: 'S', rows: [['D'], [{ value: 1, style: 1 }], [{ value: 61, style: 1 }]] }],
        {
          styles: { cellFormats: [0, 14] },
        },
      ),
    );
    // Excel counts a 29 February 1900 that never was: serial 1 is 1 January, 61 is 1 March.
    expect(early.text).toBe('D\nD: 1900-01-01\nD: 1900-03-01');
    const mac = await read(
      'mac.xlsx',
      await buildXlsx([{ name: 'S', rows: [['D'], [{ value: 0, style: 1 }]] }], {
        styles: { cellFormats: [0, 14], date1904: true },
      }),
    );
    expect(mac.text).toBe('D\nD: 1904-01-01');
  });

  it('CSV and TSV: quoted fields, the header naming every value, line numbers as rows', async () => {
    const csv = await read('t.csv', Buffer.from('name,city\n"Lovelace, Ada",London\nBob,Paris\n'));
    expect(csv.kind).toBe('csv');
    expect(csv.text).toBe('name | city\nname: Lovelace, Ada; city: London\nname: Bob; city: Paris');
    const tsv = await read('data', Buffer.from('a\tb\n1\t2\n3\t4\n5\t6\n7\t8\n'));
    expect(tsv.kind).toBe('tsv');
    expect(located(tsv)).toEqual([
      ['rows 1–5', 'a | b\na: 1; b: 2\na: 3; b: 4\na: 5; b: 6\na: 7; b: 8'],
    ]);
    // Prose with a comma per line is not a table.
    const prose = Buffer.from('Hello, world.\nYes, indeed.\nWell, then.\n');
    expect(detectDocumentType(prose, 'notes.txt').kind).toBe('text');
  });

  it('EPUB: chapters in spine order (the manifest lists them backwards) with their titles', async () => {
    const epub = await buildEpub(
      [
        { title: 'Beginning', paragraphs: ['It was a dark night.'] },
        { title: 'End', paragraphs: ['The sun rose.'] },
      ],
      { title: 'A Book' },
    );
    const document = await read('b.epub', epub);
    expect(document.title).toBe('A Book');
    expect(located(document)).toEqual([
      ['chapter 1: Beginning', 'Beginning\n\nIt was a dark night.'],
      ['chapter 2: End', 'End\n\nThe sun rose.'],
    ]);
  });

  it('OpenDocument text, presentation and spreadsheet (a million repeated blank rows cost nothing)', async () => {
    const odt = await read('a.odt', await buildOdf('text', odtBody(['Hello ODT', 'Second']), 'T'));
    expect([odt.kind, odt.title, odt.text]).toEqual(['odt', 'T', 'Hello ODT\n\nSecond']);
    const odp = await read(
      'a.odp',
      await buildOdf(
        'presentation',
        odpBody([{ lines: ['One'], notes: ['Say one'] }, { lines: ['Two'] }]),
      ),
    );
    expect(located(odp)).toEqual([
      ['slide 1', 'One'],
      ['slide 1 notes', 'Say one'],
      ['slide 2', 'Two'],
    ]);
    const ods = await read(
      'a.ods',
      await buildOdf(
        'spreadsheet',
        odsBody([
          {
            name: 'S1',
            rows: [
              ['Name', 'City'],
              ['Ada', 'London'],
            ],
          },
        ]),
      ),
    );
    expect(located(ods)).toEqual([['sheet S1, rows 1–2', 'Name | City\nName: Ada; City: London']]);
  });

  it('RTF: code-page and Unicode escapes, skipped destinations, the title from \\info', async () => {
    const document = await read('x.rtf', buildRtf(['Café {au} lait', 'Greek αβγ'], 'Menu'));
    expect(document).toEqual({ kind: 'rtf', title: 'Menu', text: 'Café {au} lait\n\nGreek αβγ' });
  });

  it('e-mail: headers, a quoted-printable body, an HTML-only body, attachment names', async () => {
    const eml = buildEml({
      from: 'Ada <ada@example.com>',
      to: 'bob@example.com',
      subject: 'Plans für Montag',
      text: 'Let us meet at noon.',
      attachment: { name: 'agenda.txt', content: Buffer.from('x'), type: 'text/plain' },
    });
    const document = await read('message.txt', eml);
    expect(document.kind).toBe('eml');
    expect(document.title).toBe('Plans für Montag');
    expect(located(document)).toEqual([
      [
        'message headers',
        'From: "Ada" <ada@example.com>\nTo: bob@example.com\nDate: 2026-12-07T16:50:00.000Z\nSubject: Plans für Montag',
      ],
      ['message body', 'Let us meet at noon.'],
      ['attachments', 'Attachments: agenda.txt'],
    ]);
    const html = await read(
      'h.eml',
      buildEml({
        from: 'a@example.com',
        to: 'b@example.com',
        subject: 'H',
        html: '<p>Only <b>HTML</b> here.</p>',
      }),
    );
    expect(html.text.endsWith('Only HTML here.')).toBe(true);
  });

  it('DOCX: footnotes, comments, headers and footers as their own sections; text boxes once', async () => {
    const word = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const [types, rels] = docxEntries([]);
    const docx = await buildZip([
      types,
      rels,
      {
        name: 'word/document.xml',
        data: `<w:document ${word} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body><w:p><w:r><w:t>Body text.</w:t></w:r></w:p><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Boxed words.</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Boxed words.</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p></w:body></w:document>`,
      },
      {
        name: 'word/footnotes.xml',
        data: `<w:footnotes ${word}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>A footnote only here.</w:t></w:r></w:p></w:footnote></w:footnotes>`,
      },
      {
        name: 'word/comments.xml',
        data: `<w:comments ${word}><w:comment w:id="0"><w:p><w:r><w:t>Reviewer remark.</w:t></w:r></w:p></w:comment></w:comments>`,
      },
      {
        name: 'word/header1.xml',
        data: `<w:hdr ${word}><w:p><w:r><w:t>Running head</w:t></w:r></w:p></w:hdr>`,
      },
      {
        name: 'word/header2.xml',
        data: `<w:hdr ${word}><w:p><w:r><w:t>Running head</w:t></w:r></w:p></w:hdr>`,
      },
    ]);
    const document = await read('d.docx', docx);
    expect(located(document)).toEqual([
      [undefined, 'Body text.\n\nBoxed words.'],
      ['header', 'Running head'],
      ['footnotes', 'A footnote only here.'],
      ['comments', 'Reviewer remark.'],
    ]);
  });
});

describe('new formats: hostile and lying input', () => {
  it('refuses XML entity declarations in every zip-based format', async () => {
    const cases: [string, Buffer][] = [
      ['e.pptx', await buildPptx([{ lines: ['x'] }], { slideXml: () => entityBomb('p:sld') })],
      [
        'e.xlsx',
        await buildXlsx([{ name: 'a', rows: [['a']] }], {
          sheetXml: () => entityBomb('worksheet'),
        }),
      ],
      [
        'e.epub',
        await buildEpub([{ title: 'a', paragraphs: ['b'] }], {
          chapterXhtml: () => entityBomb('html'),
        }),
      ],
      ['e.odt', await buildOdfBomb()],
    ];
    for (const [name, bytes] of cases) {
      const { code, message } = await refusal(name, bytes);
      expect(code).toBe('xml_entities');
      expect(message).toMatch(/declares XML entities/);
    }
  });

  it('refuses zip bombs, truncated archives and files whose name lies about their type', async () => {
    const bomb = await buildZip([
      { name: 'mimetype', data: 'application/epub+zip', compress: false },
      { name: 'META-INF/container.xml', data: zeros(300 * 1024 * 1024) },
    ]);
    expect((await refusal('bomb.epub', bomb)).code).toBe('zip_bomb');
    const xlsx = await buildXlsx([
      {
        name: 'a',
        rows: [
          ['a', 'b'],
          ['c', 'd'],
        ],
      },
    ]);
    expect((await refusal('cut.xlsx', xlsx.subarray(0, Math.floor(xlsx.length * 0.7)))).code).toBe(
      'corrupt_document',
    );
    expect(await refusal('cut.rtf', buildRtf(['hello there']).subarray(0, 60))).toEqual({
      code: 'corrupt_document',
      message: 'The RTF document is cut off: it ends with 3 group(s) still open.',
    });
    expect(await refusal('slides.pptx', await buildXlsx([{ name: 'a', rows: [['a']] }]))).toEqual({
      code: 'type_mismatch',
      message: 'slides.pptx is an Excel (XLSX) workbook, not a PowerPoint (PPTX) presentation.',
    });
    expect((await refusal('book.epub', Buffer.from('just text\n'))).code).toBe('type_mismatch');
  });

  it('every zip-based format: a zip bomb, a truncated file and a lying name are refused', async () => {
    // 20 MiB of zeros deflate to ~20 KiB: over the 100x expansion limit of one entry.
    const filler = () => [{ name: 'media/filler.bin', data: zeros(20 * 1024 * 1024) }];
    const formats: [string, string, (extra: ZipFixtureEntry[]) => Promise<Buffer>][] = [
      ['docx', 'a DOCX document', (extra) => buildDocx(['Body text.'], extra)],
      [
        'pptx',
        'a PowerPoint (PPTX) presentation',
        (extra) => buildPptx([{ lines: ['Slide'] }], { extra }),
      ],
      [
        'xlsx',
        'an Excel (XLSX) workbook',
        (extra) => buildXlsx([{ name: 'a', rows: [['a'], ['b']] }], { extra }),
      ],
      [
        'odt',
        'an OpenDocument text',
        (extra) => buildOdf('text', odtBody(['Words.']), undefined, extra),
      ],
      [
        'odp',
        'an OpenDocument presentation',
        (extra) => buildOdf('presentation', odpBody([{ lines: ['Slide'] }]), undefined, extra),
      ],
      [
        'ods',
        'an OpenDocument spreadsheet',
        (extra) =>
          buildOdf('spreadsheet', odsBody([{ name: 'a', rows: [['a']] }]), undefined, extra),
      ],
      [
        'epub',
        'an EPUB book',
        (extra) => buildEpub([{ title: 'One', paragraphs: ['Text.'] }], { extra }),
      ],
    ];
    for (const [extension, label, build] of formats) {
      const bomb = await refusal(`bomb.${extension}`, await build(filler()));
      expect({ extension, code: bomb.code }).toEqual({ extension, code: 'zip_bomb' });

      const whole = await build([{ name: 'media/noise.bin', data: randomBytes(64 * 1024) }]);
      const cut = await refusal(
        `cut.${extension}`,
        whole.subarray(0, Math.floor(whole.length * 0.6)),
      );
      expect({ extension, code: cut.code }).toEqual({ extension, code: 'corrupt_document' });

      const liar = extension === 'docx' ? 'pptx' : 'docx';
      const lie = await refusal(`named.${liar}`, whole);
      expect({ extension, lie }).toEqual({
        extension,
        lie: {
          code: 'type_mismatch',
          message: expect.stringContaining(`is ${label}, not`) as string,
        },
      });
    }
  });

  it('bounds rows and cells of spreadsheets and CSV', async () => {
    const rows = ['a,b'];
    for (let index = 0; index < 200_001; index += 1) rows.push(`${index},x`);
    expect(await refusal('big.csv', Buffer.from(rows.join('\n')))).toEqual({
      code: 'too_large',
      message: 'The spreadsheet has more than 200000 rows; at most 200000 are accepted.',
    });
    expect((await refusal('cell.csv', Buffer.from(`a,b\n1,${'y'.repeat(40_000)}\n`))).code).toBe(
      'too_large',
    );
    const repeated = await buildOdf(
      'spreadsheet',
      '<table:table table:name="x"><table:table-row table:number-rows-repeated="1000000"><table:table-cell><text:p>v</text:p></table:table-cell></table:table-row></table:table>',
    );
    expect((await refusal('rep.ods', repeated)).code).toBe('too_large');
  });
});

/** An ODT whose content.xml carries the billion-laughs declarations. */
function buildOdfBomb(): Promise<Buffer> {
  return buildZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', compress: false },
    { name: 'content.xml', data: entityBomb('office:document-content') },
  ]);
}
