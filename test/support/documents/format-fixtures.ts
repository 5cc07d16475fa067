// Builders of the newer formats for specs, end-to-end tests and the formats benchmark: every
// fixture is written here from its parts (zip + XML), nothing is checked in or downloaded.
import { buildZip, type ZipFixtureEntry } from './document-fixtures';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const DRAWING_NS =
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';

function relationships(rels: { id: string; type: string; target: string }[]): string {
  const items = rels
    .map(
      ({ id, type, target }) =>
        `<Relationship Id="${id}" Type="${OFFICE_REL}/${type}" Target="${escapeXml(target)}"/>`,
    )
    .join('');
  return `${XML_HEAD}<Relationships xmlns="${REL_NS}">${items}</Relationships>`;
}

function coreProperties(title: string | undefined): ZipFixtureEntry[] {
  if (title === undefined) return [];
  return [
    {
      name: 'docProps/core.xml',
      data: `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${escapeXml(title)}</dc:title></cp:coreProperties>`,
    },
  ];
}

function contentTypes(overrides: [string, string][]): ZipFixtureEntry {
  const items = overrides
    .map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`)
    .join('');
  return {
    name: '[Content_Types].xml',
    data: `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${items}</Types>`,
  };
}

function drawingParagraphs(lines: string[]): string {
  return lines
    .map((line) => `<a:p><a:r><a:rPr lang="en-US"/><a:t>${escapeXml(line)}</a:t></a:r></a:p>`)
    .join('');
}

function shape(lines: string[]): string {
  return `<p:sp><p:nvSpPr><p:cNvPr id="2" name="Text"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/>${drawingParagraphs(lines)}</p:txBody></p:sp>`;
}

function table(rows: string[][]): string {
  const body = rows
    .map(
      (row) =>
        `<a:tr h="370840">${row.map((cell) => `<a:tc><a:txBody><a:bodyPr/>${drawingParagraphs([cell])}</a:txBody></a:tc>`).join('')}</a:tr>`,
    )
    .join('');
  return `<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="3" name="Table"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl>${body}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>`;
}

export interface SlideFixture {
  lines: string[];
  notes?: string[];
  table?: string[][];
}

/**
 * A PowerPoint package. Slide parts are numbered in reverse of their presentation order, so that
 * a reader that orders by part name instead of the presentation's list gets it wrong.
 */
export function buildPptx(
  slides: SlideFixture[],
  options: { title?: string; extra?: ZipFixtureEntry[]; slideXml?: (index: number) => string } = {},
): Promise<Buffer> {
  const entries: ZipFixtureEntry[] = [];
  const partNumber = (index: number): number => slides.length - index;
  const overrides: [string, string][] = [
    [
      '/ppt/presentation.xml',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
    ],
  ];
  slides.forEach((slide, index) => {
    const number = partNumber(index);
    overrides.push([
      `/ppt/slides/slide${number}.xml`,
      'application/vnd.openxmlformats-officedocument.presentationml.slide+xml',
    ]);
    const tree = shape(slide.lines) + (slide.table ? table(slide.table) : '');
    entries.push({
      name: `ppt/slides/slide${number}.xml`,
      data:
        options.slideXml?.(index) ??
        `${XML_HEAD}<p:sld ${DRAWING_NS}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>${tree}</p:spTree></p:cSld></p:sld>`,
    });
    if (slide.notes) {
      entries.push({
        name: `ppt/slides/_rels/slide${number}.xml.rels`,
        data: relationships([
          { id: 'rId2', type: 'notesSlide', target: `../notesSlides/notesSlide${number}.xml` },
        ]),
      });
      entries.push({
        name: `ppt/notesSlides/notesSlide${number}.xml`,
        data: `${XML_HEAD}<p:notes ${DRAWING_NS}><p:cSld><p:spTree>${shape(slide.notes)}<p:sp><p:txBody><a:p><a:fld id="{1}" type="slidenum"><a:t>${index + 1}</a:t></a:fld></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>`,
      });
    }
  });
  const ids = slides
    .map((_, index) => `<p:sldId id="${256 + index}" r:id="rIdS${index}"/>`)
    .join('');
  return buildZip([
    contentTypes(overrides),
    {
      name: '_rels/.rels',
      data: relationships([{ id: 'rId1', type: 'officeDocument', target: 'ppt/presentation.xml' }]),
    },
    {
      name: 'ppt/presentation.xml',
      data: `${XML_HEAD}<p:presentation ${DRAWING_NS}><p:sldIdLst>${ids}</p:sldIdLst></p:presentation>`,
    },
    {
      name: 'ppt/_rels/presentation.xml.rels',
      data: relationships(
        slides.map((_, index) => ({
          id: `rIdS${index}`,
          type: 'slide',
          target: `slides/slide${partNumber(index)}.xml`,
        })),
      ),
    },
    ...entries,
    ...coreProperties(options.title),
    ...(options.extra ?? []),
  ]);
}

export interface SheetFixture {
  name: string;
  /**
   * Row by row; numbers are written as numeric cells, strings as shared strings, and
   * `{ value, style }` as a numeric cell of that cell style (an index into `styles` below).
   */
  rows: (string | number | { value: number; style: number })[][];
}

export function buildXlsx(
  sheets: SheetFixture[],
  options: {
    title?: string;
    sheetXml?: (index: number) => string;
    /** Cell styles as number format ids; `formats` are the workbook's custom ones by id. */
    styles?: { cellFormats: number[]; formats?: Record<number, string>; date1904?: boolean };
    extra?: ZipFixtureEntry[];
  } = {},
): Promise<Buffer> {
  const shared: string[] = [];
  const sharedIndex = new Map<string, number>();
  const sheetEntries = sheets.map((sheet, sheetIndex) => {
    const rows = sheet.rows
      .map((row, rowIndex) => {
        const cells = row
          .map((value, column) => {
            const reference = `${String.fromCharCode(65 + column)}${rowIndex + 1}`;
            if (value === '') return '';
            if (typeof value === 'number') return `<c r="${reference}"><v>${value}</v></c>`;
            if (typeof value === 'object') {
              return `<c r="${reference}" s="${value.style}"><v>${value.value}</v></c>`;
            }
            let index = sharedIndex.get(value);
            if (index === undefined) {
              index = shared.length;
              shared.push(value);
              sharedIndex.set(value, index);
            }
            return `<c r="${reference}" t="s"><v>${index}</v></c>`;
          })
          .join('');
        return `<row r="${rowIndex + 1}">${cells}</row>`;
      })
      .join('');
    return {
      name: `xl/worksheets/sheet${sheetIndex + 1}.xml`,
      data:
        options.sheetXml?.(sheetIndex) ??
        `${XML_HEAD}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
    };
  });
  const sheetList = sheets
    .map(
      (sheet, index) =>
        `<sheet name="${escapeXml(sheet.name)}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`,
    )
    .join('');
  const strings = shared.map((text) => `<si><t xml:space="preserve">${escapeXml(text)}</t></si>`);
  return buildZip([
    contentTypes([
      [
        '/xl/workbook.xml',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
      ],
    ]),
    {
      name: '_rels/.rels',
      data: relationships([{ id: 'rId1', type: 'officeDocument', target: 'xl/workbook.xml' }]),
    },
    {
      name: 'xl/workbook.xml',
      data: `${XML_HEAD}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${OFFICE_REL}">${options.styles?.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets>${sheetList}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: relationships([
        ...sheets.map((_, index) => ({
          id: `rId${index + 1}`,
          type: 'worksheet',
          target: `worksheets/sheet${index + 1}.xml`,
        })),
        { id: 'rIdStrings', type: 'sharedStrings', target: 'sharedStrings.xml' },
        ...(options.styles ? [{ id: 'rIdStyles', type: 'styles', target: 'styles.xml' }] : []),
      ]),
    },
    ...(options.styles ? [{ name: 'xl/styles.xml', data: stylesXml(options.styles) }] : []),
    {
      name: 'xl/sharedStrings.xml',
      data: `${XML_HEAD}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${shared.length}" uniqueCount="${shared.length}">${strings.join('')}</sst>`,
    },
    ...sheetEntries,
    ...coreProperties(options.title),
    ...(options.extra ?? []),
  ]);
}

/** xl/styles.xml: custom number formats and one cell style per entry of `cellFormats`. */
function stylesXml(styles: { cellFormats: number[]; formats?: Record<number, string> }): string {
  const formats = Object.entries(styles.formats ?? {})
    .map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`)
    .join('');
  // A cell style list outside <cellXfs> that must not be taken for it.
  const cellStyleXfs = '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>';
  const cellXfs = styles.cellFormats.map((id) => `<xf numFmtId="${id}" xfId="0"/>`).join('');
  return `${XML_HEAD}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="${Object.keys(styles.formats ?? {}).length}">${formats}</numFmts>${cellStyleXfs}<cellXfs count="${styles.cellFormats.length}">${cellXfs}</cellXfs></styleSheet>`;
}

const ODF_NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"';

/** An OpenDocument package: the stored mimetype first, then content.xml with `body`. */
export function buildOdf(
  kind: 'text' | 'presentation' | 'spreadsheet',
  body: string,
  title?: string,
  extra: ZipFixtureEntry[] = [],
): Promise<Buffer> {
  return buildZip([
    {
      name: 'mimetype',
      data: `application/vnd.oasis.opendocument.${kind}`,
      compress: false,
    },
    {
      name: 'META-INF/manifest.xml',
      data: `${XML_HEAD}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.${kind}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    },
    {
      name: 'content.xml',
      data: `${XML_HEAD}<office:document-content ${ODF_NS}><office:automatic-styles><style:style xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" style:name="P1">Not text</style:style></office:automatic-styles><office:body><office:${kind}>${body}</office:${kind}></office:body></office:document-content>`,
    },
    ...(title
      ? [
          {
            name: 'meta.xml',
            data: `${XML_HEAD}<office:document-meta ${ODF_NS}><office:meta><dc:title>${escapeXml(title)}</dc:title></office:meta></office:document-meta>`,
          },
        ]
      : []),
    ...extra,
  ]);
}

export function odtBody(paragraphs: string[]): string {
  return paragraphs.map((text) => `<text:p>${escapeXml(text)}</text:p>`).join('');
}

export function odpBody(slides: SlideFixture[]): string {
  return slides
    .map(
      (slide, index) =>
        `<draw:page draw:name="page${index + 1}"><draw:frame><draw:text-box>${odtBody(slide.lines)}</draw:text-box></draw:frame>${slide.notes ? `<presentation:notes><draw:frame><draw:text-box>${odtBody(slide.notes)}</draw:text-box></draw:frame></presentation:notes>` : ''}</draw:page>`,
    )
    .join('');
}

export function odsBody(sheets: SheetFixture[]): string {
  return sheets
    .map((sheet) => {
      const rows = sheet.rows
        .map(
          (row) =>
            `<table:table-row>${row.map((value) => (value === '' ? '<table:table-cell/>' : `<table:table-cell><text:p>${escapeXml(String(typeof value === 'object' ? value.value : value))}</text:p></table:table-cell>`)).join('')}<table:table-cell table:number-columns-repeated="16000"/></table:table-row>`,
        )
        .join('');
      // Spreadsheet applications pad every sheet with a million repeated empty rows.
      return `<table:table table:name="${escapeXml(sheet.name)}">${rows}<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>`;
    })
    .join('');
}

export interface ChapterFixture {
  title: string;
  paragraphs: string[];
}

/** An EPUB 3 book whose manifest lists chapters in reverse and whose spine gives the order. */
export function buildEpub(
  chapters: ChapterFixture[],
  options: {
    title?: string;
    chapterXhtml?: (index: number) => string;
    extra?: ZipFixtureEntry[];
  } = {},
): Promise<Buffer> {
  const items = chapters
    .map((_, index) => ({ id: `c${index}`, href: `text/chapter-${index + 1}.xhtml` }))
    .reverse();
  const manifest = items
    .map(({ id, href }) => `<item id="${id}" href="${href}" media-type="application/xhtml+xml"/>`)
    .join('');
  const spine = chapters.map((_, index) => `<itemref idref="c${index}"/>`).join('');
  return buildZip([
    { name: 'mimetype', data: 'application/epub+zip', compress: false },
    {
      name: 'META-INF/container.xml',
      data: `${XML_HEAD}<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`,
    },
    {
      name: 'OEBPS/content.opf',
      data: `${XML_HEAD}<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${escapeXml(options.title ?? 'A Book')}</dc:title></metadata><manifest>${manifest}</manifest><spine>${spine}</spine></package>`,
    },
    ...chapters.map((chapter, index) => ({
      name: `OEBPS/text/chapter-${index + 1}.xhtml`,
      data:
        options.chapterXhtml?.(index) ??
        `${XML_HEAD}<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>${escapeXml(chapter.title)}</title></head><body><h1>${escapeXml(chapter.title)}</h1>${chapter.paragraphs.map((text) => `<p>${escapeXml(text)}</p>`).join('')}</body></html>`,
    })),
    ...(options.extra ?? []),
  ]);
}

/** An RTF document in code page 1252, with a non-ASCII letter as a hex escape and one as \u. */
export function buildRtf(paragraphs: string[], title?: string): Buffer {
  const escape = (text: string): string =>
    [...text]
      .map((char) => {
        const code = char.codePointAt(0) ?? 0;
        if (char === '\\' || char === '{' || char === '}') return `\\${char}`;
        if (code < 0x80) return char;
        if (code <= 0xff) return `\\'${code.toString(16).padStart(2, '0')}`;
        return `\\u${code > 0x7fff ? code - 0x10000 : code}?`;
      })
      .join('');
  const info = title ? `{\\info{\\title ${escape(title)}}{\\author Cairn tests}}` : '';
  const body = paragraphs.map((text) => `\\pard\\plain\\f0\\fs24 ${escape(text)}\\par\n`).join('');
  return Buffer.from(
    `{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}{\\colortbl;\\red0\\green0\\blue0;}${info}{\\*\\generator Cairn;}\n${body}}`,
    'latin1',
  );
}

/** A MIME e-mail: multipart/alternative (or HTML only) with an optional attachment. */
export function buildEml(options: {
  from: string;
  to: string;
  subject: string;
  text?: string;
  html?: string;
  attachment?: { name: string; content: Buffer; type: string };
  /** More attachments, after `attachment`, in this order. */
  attachments?: { name: string; content: Buffer; type: string }[];
}): Buffer {
  const boundary = 'cairn-boundary-1';
  const parts: string[] = [];
  if (options.text !== undefined) {
    parts.push(
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${quotedPrintable(options.text)}`,
    );
  }
  if (options.html !== undefined) {
    parts.push(
      `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(options.html, 'utf8'))}`,
    );
  }
  for (const attachment of [
    ...(options.attachment ? [options.attachment] : []),
    ...(options.attachments ?? []),
  ]) {
    parts.push(
      `Content-Type: ${attachment.type}; name="${attachment.name}"\r\nContent-Disposition: attachment; filename="${attachment.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(attachment.content)}`,
    );
  }
  const headers = [
    `From: ${options.from}`,
    `To: ${options.to}`,
    `Subject: =?utf-8?B?${Buffer.from(options.subject, 'utf8').toString('base64')}?=`,
    'Date: Mon, 07 Dec 2026 16:50:00 +0000',
    'Message-ID: <fixture@cairn.test>',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ];
  const body = parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('');
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}--${boundary}--\r\n`, 'utf8');
}

function quotedPrintable(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      byte === 0x0a || (byte >= 0x20 && byte < 0x7f && byte !== 0x3d)
        ? String.fromCharCode(byte)
        : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
    .replace(/\n/g, '\r\n');
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** "<!ENTITY" declarations nesting ten times: the billion-laughs shape. */
export function entityBomb(root: string): string {
  const entities = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level += 1) {
    entities.push(`<!ENTITY lol${level} "${`&lol${level === 1 ? '' : level - 1};`.repeat(10)}">`);
  }
  return `${XML_HEAD}<!DOCTYPE ${root} [${entities.join('')}]><${root}>&lol9;</${root}>`;
}
