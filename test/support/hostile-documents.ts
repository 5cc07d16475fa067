// Hostile documents for the parsers and the upload path: real files of every format, broken in
// the ways attackers and bad disks break them (fast-check mutations), and files built to hurt a
// parser (nested archives, huge image dimensions, deep nesting, billion-laughs entities).
// Reusable by any parser's tests: `mutatedDocument(seeds)` for property tests, `hostileDocuments()`
// for the fixed set, `applyMutations` to replay a shrunk counterexample.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  buildDocx,
  buildPdf,
  buildZip,
  docxEntries,
  type ZipFixtureEntry,
} from './documents/document-fixtures';
import {
  buildEml,
  buildEpub,
  buildOdf,
  buildPptx,
  buildRtf,
  buildXlsx,
  odtBody,
} from './documents/format-fixtures';

export interface HostileDocument {
  /** What was done to the file, for failure messages. */
  label: string;
  fileName: string;
  bytes: Buffer;
}

/** The formats the upload path has read from the start (the e2e hostile-input test uses these). */
export const FIRST_SEED_FORMATS = ['text', 'markdown', 'html', 'pdf', 'docx'] as const;
/** Slides, sheets, books, mail and rich text, read since December 2026. */
export const NEWER_SEED_FORMATS = ['pptx', 'xlsx', 'csv', 'epub', 'odt', 'rtf', 'eml'] as const;

export type SeedFormat = (typeof FIRST_SEED_FORMATS)[number] | (typeof NEWER_SEED_FORMATS)[number];

/** A well-formed document that mutations start from. */
export interface SeedDocument {
  format: SeedFormat;
  fileName: string;
  bytes: Buffer;
}

const PARAGRAPHS = [
  'Ada Lovelace wrote the first published algorithm for the Analytical Engine in 1843.',
  'Charles Babbage designed the engine in London; it was never completed in his lifetime.',
  'Her notes describe loops, conditional branches and the idea of symbolic computation.',
  'Alan Turing later cited her objection in his 1950 paper on machine intelligence.',
];

/** One real document of each format, with some of each format's structure (lists, pages, …). */
export async function seedDocuments(token = randomUUID().slice(0, 8)): Promise<SeedDocument[]> {
  const [first, second, third, fourth] = PARAGRAPHS;
  const markdown =
    `# Notes ${token}\n\n${first}\n\n## Engine\n\n- ${second}\n- ${third}\n\n` +
    `> ${fourth}\n\n\`\`\`\ncode block\n\`\`\`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n` +
    `\n[link](https://example.org) and **bold** <span>inline html</span>\n`;
  const html =
    `<!doctype html><html><head><title>Notes ${token}</title><style>p{}</style></head><body>` +
    `<h1>Ada</h1><p>${first}</p><ul><li>${second}</li><li>${third}</li></ul>` +
    `<table><tr><td>${fourth}</td><td>&amp; &lt;cell&gt; &#x263A;</td></tr></table>` +
    `<pre>\nkeep   spacing</pre><script>var x = "<p>not text</p>";</script></body></html>`;
  return [
    {
      format: 'text',
      fileName: `notes-${token}.txt`,
      bytes: Buffer.from(`${PARAGRAPHS.join('\n\n')}\nÜmlaut, 日本語, emoji 🙂 ${token}\n`),
    },
    { format: 'markdown', fileName: `notes-${token}.md`, bytes: Buffer.from(markdown) },
    { format: 'html', fileName: `notes-${token}.html`, bytes: Buffer.from(html) },
    {
      format: 'pdf',
      fileName: `notes-${token}.pdf`,
      bytes: await buildPdf([[first, second], [third], [fourth, token]], `Notes ${token}`),
    },
    {
      format: 'docx',
      fileName: `notes-${token}.docx`,
      bytes: await buildDocx([...PARAGRAPHS, token], [coreProperties(`Notes ${token}`)]),
    },
    {
      format: 'pptx',
      fileName: `deck-${token}.pptx`,
      bytes: await buildPptx(
        [
          { lines: [first, second], notes: [third] },
          {
            lines: [fourth],
            table: [
              ['Year', 'Event'],
              ['1843', token],
            ],
          },
        ],
        { title: `Deck ${token}` },
      ),
    },
    {
      format: 'xlsx',
      fileName: `book-${token}.xlsx`,
      bytes: await buildXlsx([
        {
          name: 'People',
          rows: [
            ['Name', 'Year', 'Note'],
            ['Ada', 1843, first],
            ['Alan', 1950, token],
          ],
        },
        { name: 'Places', rows: [['City'], ['London']] },
      ]),
    },
    {
      format: 'csv',
      fileName: `table-${token}.csv`,
      bytes: Buffer.from(`name,year,note\nAda,1843,"${first}"\nAlan,1950,${token}\n`),
    },
    {
      format: 'epub',
      fileName: `book-${token}.epub`,
      bytes: await buildEpub(
        [
          { title: 'Engine', paragraphs: [first, second] },
          { title: 'Notes', paragraphs: [third, fourth, token] },
        ],
        { title: `Book ${token}` },
      ),
    },
    {
      format: 'odt',
      fileName: `notes-${token}.odt`,
      bytes: await buildOdf('text', odtBody([...PARAGRAPHS, token]), `Notes ${token}`),
    },
    { format: 'rtf', fileName: `notes-${token}.rtf`, bytes: buildRtf([...PARAGRAPHS, token]) },
    {
      format: 'eml',
      fileName: `mail-${token}.eml`,
      bytes: buildEml({
        from: 'ada@example.org',
        to: 'charles@example.org',
        subject: `Notes ${token}`,
        text: `${first}\n\n${second}`,
        html: `<p>${third}</p><p>${fourth}</p>`,
      }),
    },
  ];
}

// ---- byte-level mutations ----

/** Positions are fractions of the current length, so a mutation applies to a file of any size. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flipBits'; at: number; mask: number }
  | { kind: 'overwrite'; at: number; bytes: number[] }
  | { kind: 'remove'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; times: number }
  | { kind: 'insert'; at: number; bytes: number[] };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const someBytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 32 });

// Bytes that mean something to the parsers: PDF and XML delimiters, ZIP signatures, UTF-8 lead
// bytes without their continuation, NUL.
const MEANINGFUL_BYTES = [
  '<',
  '>',
  '/',
  '[',
  ']',
  '(',
  ')',
  '&',
  ';',
  '"',
  ' obj',
  'endobj',
  'stream',
  'R',
  'PK\x03\x04',
  'PK\x01\x02',
  'PK\x05\x06',
  '<!ENTITY',
  '<![CDATA[',
  '-->',
].map((text) => [...Buffer.from(text, 'latin1')]);
const tokenBytes: fc.Arbitrary<number[]> = fc.oneof<fc.Arbitrary<number[]>[]>(
  someBytes,
  fc.constantFrom<number[]>(...MEANINGFUL_BYTES),
  fc.constantFrom<number[]>(
    [0x00],
    [0xc3],
    [0xe2, 0x82],
    [0xf0, 0x9f],
    [0xff, 0xfe],
    [0xed, 0xa0, 0x80],
  ),
);

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('flipBits' as const),
    at: position,
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: tokenBytes }),
  fc.record({
    kind: fc.constant('remove' as const),
    at: position,
    length: fc.integer({ min: 1, max: 4096 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 512 }),
    times: fc.integer({ min: 2, max: 64 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: tokenBytes }),
);

export function applyMutation(bytes: Buffer, mutation: Mutation): Buffer {
  const at = Math.floor(mutation.at * bytes.length);
  switch (mutation.kind) {
    case 'truncate':
      return bytes.subarray(0, at);
    case 'flipBits': {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[at] ^= mutation.mask;
      return copy;
    }
    case 'overwrite': {
      const copy = Buffer.from(bytes);
      Buffer.from(mutation.bytes).copy(copy, at);
      return copy;
    }
    case 'remove':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + mutation.length)]);
    case 'duplicate': {
      const slice = bytes.subarray(at, at + mutation.length);
      const repeated = Buffer.concat(Array.from({ length: mutation.times }, () => slice));
      return Buffer.concat([bytes.subarray(0, at), repeated, bytes.subarray(at)]);
    }
    case 'insert':
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(mutation.bytes),
        bytes.subarray(at),
      ]);
  }
}

export function applyMutations(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  return mutations.reduce(applyMutation, bytes);
}

function describeMutations(mutations: readonly Mutation[]): string {
  return mutations
    .map((mutation) => {
      const { kind, at, ...rest } = mutation;
      const detail = Object.entries(rest)
        .map(([key, value]) => `${key}=${Array.isArray(value) ? value.length : String(value)}`)
        .join(',');
      return `${kind}@${at.toFixed(4)}${detail ? `(${detail})` : ''}`;
    })
    .join(' ');
}

/** Which seed and what is done to it; `materialise` turns it into bytes. */
export interface MutatedDocument {
  format: SeedFormat;
  mutations: Mutation[];
  /** For a DOCX: mutate the inflated `word/document.xml` and zip it again. */
  insideArchive: boolean;
}

/**
 * 1–4 byte-level mutations of one of the seeds' formats. For DOCX, half of the cases mutate the
 * inflated `word/document.xml` and zip it again, so that the XML parser (not only the ZIP
 * reader) meets the damage.
 */
export function mutatedDocument(
  formats: readonly SeedFormat[] = FIRST_SEED_FORMATS,
): fc.Arbitrary<MutatedDocument> {
  return fc.record({
    format: fc.constantFrom(...formats),
    mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
    insideArchive: fc.boolean(),
  });
}

export async function materialise(
  { format, mutations, insideArchive }: MutatedDocument,
  seeds: readonly SeedDocument[],
): Promise<HostileDocument> {
  const seed = seeds.find((candidate) => candidate.format === format);
  if (!seed) throw new Error(`no ${format} seed`);
  const label = `${format} ${describeMutations(mutations)}`;
  if (format === 'docx' && insideArchive) {
    return {
      label: `${label} inside word/document.xml`,
      fileName: seed.fileName,
      bytes: await docxWithMutatedDocumentXml(mutations),
    };
  }
  return { label, fileName: seed.fileName, bytes: applyMutations(seed.bytes, mutations) };
}

async function docxWithMutatedDocumentXml(mutations: readonly Mutation[]): Promise<Buffer> {
  const entries = docxEntries(PARAGRAPHS);
  return buildZip(
    entries.map((entry) =>
      entry.name === 'word/document.xml'
        ? { ...entry, data: applyMutations(Buffer.from(entry.data as string), mutations) }
        : entry,
    ),
  );
}

// ---- documents built to hurt a parser ----

/** Every constructed hostile document, each with unique bytes (`token`). */
export async function hostileDocuments(
  token = randomUUID().slice(0, 8),
): Promise<HostileDocument[]> {
  return [
    {
      label: 'DOCX with nested archives in its embeddings',
      fileName: `nested-${token}.docx`,
      bytes: await docxWithNestedArchives(6, token),
    },
    {
      label: 'ZIP holding a DOCX, named .docx',
      fileName: `zip-of-docx-${token}.docx`,
      bytes: await buildZip([
        { name: 'inner.docx', data: await buildDocx([`Inner ${token}`]) },
        { name: 'readme.txt', data: token },
      ]),
    },
    {
      label: 'DOCX whose document.xml is itself a ZIP',
      fileName: `zip-in-xml-${token}.docx`,
      bytes: await buildZip([
        ...docxEntries([]).filter((entry) => entry.name !== 'word/document.xml'),
        { name: 'word/document.xml', data: await buildDocx([`Inner ${token}`]) },
      ]),
    },
    {
      label: 'DOCX with an image of 2^31-1 × 2^31-1 pixels',
      fileName: `huge-image-${token}.docx`,
      bytes: await docxWithHugeImage(token),
    },
    {
      label: 'PDF drawing an image of 2^31-1 × 2^31-1 pixels',
      fileName: `huge-image-${token}.pdf`,
      bytes: pdfWithHugeImage(token),
    },
    {
      label: 'PDF page of 14400 × 14400 units scaled by 1e9',
      fileName: `huge-page-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /UserUnit 1e9 /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        pdfStream(`BT /F1 12 Tf 1e30 1e30 Td (huge ${token}) Tj ET`),
        HELVETICA,
      ]),
    },
    {
      label: 'PDF claiming 2^31-1 pages',
      fileName: `many-pages-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        pdfStream(`BT /F1 12 Tf 10 100 Td (pages ${token}) Tj ET`),
        HELVETICA,
      ]),
    },
    {
      label: 'PDF whose page tree contains itself',
      fileName: `page-loop-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        pdfStream(`BT /F1 12 Tf 10 100 Td (loop ${token}) Tj ET`),
        HELVETICA,
      ]),
    },
    {
      label: 'PDF with 100 000 nested arrays',
      fileName: `deep-array-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Deep ${'['.repeat(100_000)}${']'.repeat(100_000)} >>`,
        pdfStream(`BT /F1 12 Tf 10 100 Td (deep ${token}) Tj ET`),
        HELVETICA,
      ]),
    },
    {
      label: 'PDF with 100 000 nested dictionaries in its content stream',
      fileName: `deep-dict-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        pdfStream(
          `BT /F1 12 Tf 10 100 Td (deep ${token}) Tj ET /Tag ${'<< /A '.repeat(100_000)}1${' >>'.repeat(100_000)} BDC EMC`,
        ),
        HELVETICA,
      ]),
    },
    {
      label: 'PDF content stream of 200 000 text operators',
      fileName: `many-ops-${token}.pdf`,
      bytes: rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
        pdfStream(`BT /F1 12 Tf ${`(w ${token}) Tj `.repeat(200_000)}ET`),
        HELVETICA,
      ]),
    },
    {
      label: 'DOCX with 20 000 nested XML elements',
      fileName: `deep-xml-${token}.docx`,
      bytes: await docxWithXml(
        documentXml(
          `${'<w:sdt><w:sdtContent>'.repeat(20_000)}${paragraph(`Deep ${token}`)}${'</w:sdtContent></w:sdt>'.repeat(20_000)}`,
        ),
      ),
    },
    {
      label: 'DOCX with 20 000 nested tables',
      fileName: `deep-tables-${token}.docx`,
      bytes: await docxWithXml(
        documentXml(
          `${'<w:tbl><w:tr><w:tc>'.repeat(20_000)}${paragraph(`Tables ${token}`)}${'</w:tc></w:tr></w:tbl>'.repeat(20_000)}`,
        ),
      ),
    },
    {
      label: 'DOCX whose document.xml declares billion-laughs entities',
      fileName: `laughs-${token}.docx`,
      bytes: await docxWithXml(
        `<?xml version="1.0"?>\n${BILLION_LAUGHS_DTD('w:document')}\n` +
          documentXml(`${paragraph(`Laughs ${token}`)}<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>`, {
            prolog: false,
          }),
        [coreProperties('&lol9;', BILLION_LAUGHS_DTD('cp:coreProperties'))],
      ),
    },
    {
      label: 'DOCX with an external entity (XXE) to /etc/passwd',
      fileName: `xxe-${token}.docx`,
      bytes: await docxWithXml(
        `<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n` +
          documentXml(`${paragraph(`XXE ${token}`)}<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>`, {
            prolog: false,
          }),
      ),
    },
    {
      label: 'DOCX with 1 MB of attributes on one element',
      fileName: `attributes-${token}.docx`,
      bytes: await docxWithXml(
        documentXml(
          `<w:p ${Array.from({ length: 40_000 }, (_, index) => `a${index}="x"`).join(' ')}><w:r><w:t>Attrs ${token}</w:t></w:r></w:p>`,
        ),
      ),
    },
    {
      label: 'HTML with 200 000 nested elements',
      fileName: `deep-${token}.html`,
      bytes: Buffer.from(
        `<!doctype html><html><body>${'<div><span>'.repeat(100_000)}Deep ${token}${'</span></div>'.repeat(100_000)}</body></html>`,
      ),
    },
    {
      label: 'HTML with 200 000 unclosed elements',
      fileName: `unclosed-${token}.html`,
      bytes: Buffer.from(
        `<!doctype html><html><body>${'<p><b><i>'.repeat(70_000)}Unclosed ${token}`,
      ),
    },
    {
      label: 'HTML declaring billion-laughs entities',
      fileName: `laughs-${token}.html`,
      bytes: Buffer.from(
        `${BILLION_LAUGHS_DTD('html')}\n<html><body><p>Laughs ${token} &lol9;</p></body></html>`,
      ),
    },
    {
      label: 'HTML with an image of 2^31-1 × 2^31-1 pixels and 500 000 entities',
      fileName: `entities-${token}.html`,
      bytes: Buffer.from(
        `<!doctype html><html><body><img width="2147483647" height="2147483647" src="data:image/png;base64,${hugePng().toString('base64')}">` +
          `<p>Entities ${token} ${'&amp;&#x1F600;&#99999999;&nosuch;'.repeat(125_000)}</p></body></html>`,
      ),
    },
    {
      label: 'Markdown with 100 000 nested block quotes',
      fileName: `quotes-${token}.md`,
      bytes: Buffer.from(`# Quotes ${token}\n\n${'>'.repeat(100_000)} deep\n`),
    },
    {
      label: 'Markdown with 2 000 nested lists',
      fileName: `lists-${token}.md`,
      bytes: Buffer.from(
        `# Lists ${token}\n\n${Array.from({ length: 2_000 }, (_, depth) => `${'  '.repeat(depth)}- item`).join('\n')}\n`,
      ),
    },
    {
      label: 'Markdown with 100 000 open brackets, emphasis and backticks',
      fileName: `brackets-${token}.md`,
      bytes: Buffer.from(
        `# Brackets ${token}\n\n${'['.repeat(100_000)}${'*_'.repeat(50_000)}${'`'.repeat(30_000)}x\n\n![${'!['.repeat(20_000)}\n`,
      ),
    },
    {
      label: 'Markdown with nested HTML and 200 000 reference definitions',
      fileName: `references-${token}.md`,
      bytes: Buffer.from(
        `# Refs ${token}\n\n<div>${'<div>'.repeat(50_000)}\n\n${Array.from({ length: 200_000 }, (_, index) => `[r${index}]: /u${index}`).join('\n')}\n\n[r1][r1]\n`,
      ),
    },
    {
      label: 'text of one 3 MB word',
      fileName: `one-word-${token}.txt`,
      bytes: Buffer.from(`${token}${'x'.repeat(3_000_000)}`),
    },
    {
      label: 'text of 1 000 000 one-character lines',
      fileName: `lines-${token}.txt`,
      bytes: Buffer.from(`${token}\n${'a\n'.repeat(1_000_000)}`),
    },
    {
      label: 'text of combining marks and zero-width characters',
      fileName: `marks-${token}.txt`,
      bytes: Buffer.from(`${token} ${'e\u0301\u0302\u0303\u200b\u200d\u2028'.repeat(200_000)}`),
    },
  ];
}

// ---- builders ----

const BILLION_LAUGHS_DTD = (root: string): string => {
  const levels = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level++) {
    const previous = level === 1 ? 'lol' : `lol${level - 1}`;
    levels.push(`<!ENTITY lol${level} "${`&${previous};`.repeat(10)}">`);
  }
  return `<!DOCTYPE ${root} [\n${levels.join('\n')}\n]>`;
};

const W_NAMESPACE = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

function paragraph(text: string): string {
  return `<w:p><w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
}

function documentXml(body: string, { prolog = true }: { prolog?: boolean } = {}): string {
  return (
    (prolog ? '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' : '') +
    `<w:document xmlns:w="${W_NAMESPACE}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
    `xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
    `xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" ` +
    `xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">` +
    `<w:body>${body}</w:body></w:document>`
  );
}

function docxWithXml(xml: string, extra: ZipFixtureEntry[] = []): Promise<Buffer> {
  return buildZip([
    ...docxEntries([]).filter((entry) => entry.name !== 'word/document.xml'),
    { name: 'word/document.xml', data: xml },
    ...extra,
  ]);
}

function coreProperties(title: string, doctype = ''): ZipFixtureEntry {
  return {
    name: 'docProps/core.xml',
    data:
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${doctype}` +
      '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
      'xmlns:dc="http://purl.org/dc/elements/1.1/">' +
      `<dc:title>${title}</dc:title></cp:coreProperties>`,
  };
}

/** A DOCX whose embeddings hold a ZIP holding a ZIP … `depth` levels down, a DOCX innermost. */
async function docxWithNestedArchives(depth: number, token: string): Promise<Buffer> {
  let inner = await buildDocx([`Innermost ${token}`]);
  for (let level = 0; level < depth; level++) {
    inner = await buildZip([
      { name: `level-${level}.zip`, data: inner },
      { name: `level-${level}.docx`, data: inner },
    ]);
  }
  return buildDocx(
    [`Nested archives ${token}`],
    [{ name: 'word/embeddings/oleObject1.bin', data: inner }],
  );
}

/** A PNG header of 2^31-1 × 2^31-1 pixels (the largest the format allows) with no pixel data. */
export function hugePng(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(0x7fffffff, 0);
  header.writeUInt32BE(0x7fffffff, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function docxWithHugeImage(token: string): Promise<Buffer> {
  const extent = '<wp:extent cx="2147483647" cy="2147483647"/>';
  const drawing =
    `<w:p><w:r><w:drawing><wp:inline>${extent}<wp:docPr id="1" name="huge"/>` +
    '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">' +
    '<pic:pic><pic:blipFill><a:blip r:embed="rIdImage"/></pic:blipFill></pic:pic>' +
    '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>';
  const relationships =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    '<Relationship Id="rIdImage" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/>' +
    '</Relationships>';
  return docxWithXml(documentXml(`${paragraph(`Huge image ${token}`)}${drawing}`), [
    { name: 'word/_rels/document.xml.rels', data: relationships },
    { name: 'word/media/image1.png', data: hugePng() },
  ]);
}

const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

function pdfStream(content: string, dictionary = ''): string {
  return `<< /Length ${Buffer.byteLength(content, 'latin1')} ${dictionary}>>\nstream\n${content}\nendstream`;
}

/** A PDF of the given objects (numbered from 1; object 1 is the catalog) with a correct xref. */
export function rawPdf(objects: string[]): Buffer {
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${offset.toString().padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function pdfWithHugeImage(token: string): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>',
    pdfStream(`q 200 0 0 200 0 0 cm /Im1 Do Q BT /F1 12 Tf 10 100 Td (Huge image ${token}) Tj ET`),
    HELVETICA,
    pdfStream(
      '\x00\x00\x00',
      '/Type /XObject /Subtype /Image /Width 2147483647 /Height 2147483647 /ColorSpace /DeviceRGB /BitsPerComponent 8 ',
    ),
  ]);
}
