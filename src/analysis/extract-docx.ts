import mammoth from 'mammoth';
import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { assertZipIsSafe, readZipEntry, type ZipLimits } from './zip-inspect';

/** DOCX text with mammoth, after the archive has been proven safe to inflate. */
export async function extractDocx(bytes: Buffer, limits: ZipLimits): Promise<ExtractedDocument> {
  await assertZipIsSafe(bytes, limits);
  let rawText: string;
  try {
    rawText = (await mammoth.extractRawText({ buffer: bytes })).value;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The DOCX document is damaged (${detail}).`,
      { cause: error },
    );
  }
  // mammoth ends every paragraph with a blank line; keep one blank line between paragraphs.
  const text = rawText
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const title = await readCoreTitle(bytes);
  return title ? { text, title } : { text };
}

/** The title from the package's core properties (File > Properties in Word), if set. */
async function readCoreTitle(bytes: Buffer): Promise<string | undefined> {
  const coreXml = await readZipEntry(bytes, 'docProps/core.xml', 1024 * 1024);
  const title = coreXml?.toString('utf8').match(/<dc:title>([^<]*)<\/dc:title>/)?.[1];
  return title ? decodeXmlText(title).replace(/\s+/g, ' ').trim() || undefined : undefined;
}

function decodeXmlText(text: string): string {
  return text.replace(
    /&(?:#x([0-9a-f]+)|#(\d+)|(amp|lt|gt|quot|apos));/gi,
    (entity, hex, dec, name) => {
      if (hex) return String.fromCodePoint(parseInt(hex as string, 16));
      if (dec) return String.fromCodePoint(parseInt(dec as string, 10));
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      return named[(name as string).toLowerCase()] ?? entity;
    },
  );
}
