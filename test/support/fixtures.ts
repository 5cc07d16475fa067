// Upload fixtures for the document e2e tests, generated on the fly (nothing is checked in).
// Each call mixes a fresh token into the content, so every run uploads bytes the stores have
// never seen and "nothing was stored" or "exactly one was stored" can be asserted exactly.
import { createHash, randomUUID } from 'node:crypto';
import { buildDocx, buildPdf, buildZip, elfHeader } from './documents/document-fixtures';

export interface UploadFixture {
  fileName: string;
  /** The type Cairn should detect from the bytes. */
  mime: string;
  bytes: Buffer;
}

export type FixtureFormat = 'text' | 'markdown' | 'html' | 'pdf' | 'docx';

export const sha256Of = (bytes: Buffer | string): string =>
  createHash('sha256').update(bytes).digest('hex');

export const uniqueToken = (): string => randomUUID().slice(0, 8);

/** One document of each supported format, all different from any earlier run's. */
export async function documentFixtures(
  token = uniqueToken(),
): Promise<Record<FixtureFormat, UploadFixture>> {
  const sentences = [
    `Marie Curie worked in Paris with Pierre Curie (fixture ${token}).`,
    'She won the Nobel Prize in Physics in 1903 and in Chemistry in 1911.',
    'The Curie Institute in Paris continues her research on radioactivity.',
  ];
  return {
    text: {
      fileName: `curie-${token}.txt`,
      mime: 'text/plain',
      bytes: Buffer.from(`${sentences.join('\n')}\n`, 'utf8'),
    },
    markdown: {
      fileName: `curie-${token}.md`,
      mime: 'text/markdown',
      bytes: Buffer.from(
        `# Marie Curie\n\n${sentences[0]}\n\n## Prizes\n\n- ${sentences[1]}\n- ${sentences[2]}\n`,
        'utf8',
      ),
    },
    html: {
      fileName: `curie-${token}.html`,
      mime: 'text/html',
      bytes: Buffer.from(
        `<!doctype html><html><head><title>Curie ${token}</title></head><body>${sentences
          .map((sentence) => `<p>${sentence}</p>`)
          .join('')}</body></html>`,
        'utf8',
      ),
    },
    pdf: {
      fileName: `curie-${token}.pdf`,
      mime: 'application/pdf',
      bytes: await buildPdf([[sentences[0], sentences[1]], [sentences[2]]], `Curie ${token}`),
    },
    docx: {
      fileName: `curie-${token}.docx`,
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: await buildDocx(sentences),
    },
  };
}

/** A small real PNG (1×1, with a unique text chunk so that its hash is new). */
export function pngImage(token = uniqueToken()): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('tEXt', Buffer.from(`Comment\0${token}`, 'latin1')),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A plain ZIP archive that is not a DOCX. */
export function zipArchive(token = uniqueToken()): Promise<Buffer> {
  return buildZip([{ name: 'notes.txt', data: `not a document ${token}` }]);
}

/** An ELF executable header followed by unique padding. */
export function elfExecutable(token = uniqueToken()): Buffer {
  return Buffer.concat([elfHeader(), Buffer.alloc(256), Buffer.from(token, 'latin1')]);
}

export interface MultipartPart {
  name: string;
  /** Sent verbatim inside the quotes of filename="…"; omit for a text field. */
  fileName?: string;
  /** Sent as an RFC 5987 filename*=UTF-8''… parameter, percent-encoded by the caller. */
  encodedFileName?: string;
  contentType?: string;
  data: Buffer | string;
}

/**
 * A multipart/form-data body built by hand, so that tests can send what browsers would never
 * send (two file parts, file names with separators or control characters).
 */
export function multipartBody(parts: MultipartPart[]): { body: Buffer; contentType: string } {
  const boundary = `----cairn-test-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`;
    if (part.fileName !== undefined) disposition += `; filename="${part.fileName}"`;
    if (part.encodedFileName !== undefined)
      disposition += `; filename*=UTF-8''${part.encodedFileName}`;
    const isFile = part.fileName !== undefined || part.encodedFileName !== undefined;
    const headers = [
      `--${boundary}`,
      `Content-Disposition: ${disposition}`,
      ...(isFile ? [`Content-Type: ${part.contentType ?? 'application/octet-stream'}`] : []),
    ];
    chunks.push(Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data, 'utf8') : part.data);
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The usual upload of one file, as a browser would send it. */
export function fileForm(fixture: UploadFixture, title?: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(fixture.bytes)]), fixture.fileName);
  if (title !== undefined) form.append('title', title);
  return form;
}
