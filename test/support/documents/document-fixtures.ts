// Fixture builders for the analysis specs: every test document is generated, none is checked in.
import { Readable } from 'node:stream';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ZipFile } from 'yazl';

export interface ZipFixtureEntry {
  name: string;
  data: Buffer | string | Readable;
  /** Deflate the entry (the default); storing is much faster for thousands of filler entries. */
  compress?: boolean;
}

export async function buildZip(entries: ZipFixtureEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const { name, data, compress = true } of entries) {
    if (data instanceof Readable) zip.addReadStream(data, name, { compress });
    else
      zip.addBuffer(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, name, {
        compress,
      });
  }
  zip.end();
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream as AsyncIterable<Buffer>) parts.push(part);
  return Buffer.concat(parts);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`;

const PACKAGE_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function docxDocumentXml(paragraphs: string[]): string {
  const body = paragraphs
    .map((text) => `<w:p><w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
}

/** The minimal parts of a WordprocessingML package, plus any extra entries. */
export function docxEntries(paragraphs: string[]): ZipFixtureEntry[] {
  return [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: PACKAGE_RELS },
    { name: 'word/document.xml', data: docxDocumentXml(paragraphs) },
  ];
}

export function buildDocx(paragraphs: string[], extra: ZipFixtureEntry[] = []): Promise<Buffer> {
  return buildZip([...docxEntries(paragraphs), ...extra]);
}

export function zeros(totalBytes: number): Readable {
  const block = Buffer.alloc(1024 * 1024);
  let remaining = totalBytes;
  return new Readable({
    read() {
      if (remaining <= 0) return void this.push(null);
      const size = Math.min(block.length, remaining);
      remaining -= size;
      this.push(block.subarray(0, size));
    },
  });
}

/** One line of text per element, 12 pt Helvetica, one PDF page per inner array. */
export async function buildPdf(pages: string[][], title?: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  if (title) pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, index) => {
      page.drawText(line, { x: 50, y: 780 - index * 20, size: 12, font });
    });
  }
  return Buffer.from(await pdf.save());
}

/**
 * A one-page PDF whose trailer names an /Encrypt dictionary (RC4, revision 3) whose /U does not
 * match the empty user password, so a reader must ask for a password. pdf-lib cannot encrypt.
 * A token, if given, goes into a comment line so that the bytes (and their hash) are new.
 */
export function buildEncryptedPdf(token?: string): Buffer {
  const hex32 = (seed: number): string =>
    Array.from({ length: 32 }, (_, index) =>
      ((index * 37 + seed) % 256).toString(16).padStart(2, '0'),
    ).join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
    '<< /Length 0 >>\nstream\n\nendstream',
    `<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <${hex32(1)}> /U <${hex32(2)}> >>`,
  ];
  let body = token === undefined ? '%PDF-1.4\n' : `%PDF-1.4\n% ${token}\n`;
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefOffset = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${offset.toString().padStart(10, '0')} 00000 n \n`;
  body +=
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R ` +
    `/ID [<${hex32(3).slice(0, 32)}> <${hex32(3).slice(0, 32)}>] >>\n` +
    `startxref\n${xrefOffset}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** The first bytes of an x86-64 ELF executable. */
export function elfHeader(): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(0x3e, 18); // x86-64
  return header;
}
