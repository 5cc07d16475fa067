// Every way an upload can be wrong: each gets a clear 4xx JSON error, and nothing is stored —
// no Postgres row, no MinIO blob, no Temporal workflow.
import type { Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { documentIdFor } from '../../src/documents/document-ids';
import { blobKey } from '../../src/stores/s3/blob-keys';
import { apiUrl, callApi, type ApiResponse } from '../support/api';
import { defaultAuthHeaders } from '../support/auth';
import {
  connectDocumentStores,
  documentIdsOf,
  objectKeys,
  rowsWithSha,
  testWorkspace,
  workflowIds,
  type DocumentStores,
} from '../support/document-stores';
import {
  documentFixtures,
  elfExecutable,
  multipartBody,
  sha256Of,
  uniqueToken,
  zipArchive,
  type MultipartPart,
} from '../support/fixtures';
import { connectTemporal } from '../support/temporal';

jest.setTimeout(180_000);

const MAX_UPLOAD_BYTES = Number(process.env.CAIRN_MAX_UPLOAD_BYTES ?? 52_428_800);
const MB = 1024 * 1024;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

interface Snapshot {
  documentIds: Set<string>;
  blobKeys: Set<string>;
  workflowIds: Set<string>;
}

describe('POST /documents: bad input is refused and nothing is stored', () => {
  const workspaceId = testWorkspace();
  let temporal: { client: Client; close: () => Promise<void> };
  let stores: DocumentStores;

  beforeAll(async () => {
    temporal = await connectTemporal();
    stores = connectDocumentStores();
  });
  afterAll(async () => {
    await temporal?.close();
    await stores?.close();
  });

  async function snapshot(): Promise<Snapshot> {
    const [documentIds, blobKeys, workflows] = await Promise.all([
      documentIdsOf(stores, workspaceId),
      objectKeys(stores, `ws/${workspaceId}/blobs/`),
      workflowIds(
        temporal.client,
        `WorkspaceId = '${workspaceId}' AND WorkflowType = 'processDocumentWorkflow'`,
      ),
    ]);
    return {
      documentIds: new Set(documentIds),
      blobKeys: new Set(blobKeys),
      workflowIds: new Set(workflows),
    };
  }

  const added = (after: Set<string>, before: Set<string>) =>
    [...after].filter((item) => !before.has(item));

  /**
   * Sends a bad upload and checks the answer, then that nothing new exists anywhere: no row,
   * blob key or workflow appeared, and none exists for any of the hashes the bytes could have.
   */
  async function expectRefused(
    send: () => Promise<{ status: number; body: unknown }>,
    expected: { status: number; message: RegExp; hashes: string[] },
  ): Promise<void> {
    const before = await snapshot();
    const response = await send();
    expect({ status: response.status, body: response.body }).toMatchObject({
      status: expected.status,
      body: { statusCode: expected.status },
    });
    const message = (response.body as ErrorBody).message;
    expect(Array.isArray(message) ? message.join('\n') : message).toMatch(expected.message);

    // Visibility trails a start by a moment; give a wrongly started workflow time to show.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await snapshot();
    expect(added(after.documentIds, before.documentIds)).toEqual([]);
    expect(added(after.blobKeys, before.blobKeys)).toEqual([]);
    expect(added(after.workflowIds, before.workflowIds)).toEqual([]);
    for (const sha256 of expected.hashes) {
      expect(await rowsWithSha(stores, workspaceId, sha256)).toBe(0);
      expect(await objectKeys(stores, blobKey(workspaceId, sha256))).toEqual([]);
      const id = documentIdFor(workspaceId, sha256);
      expect(await workflowIds(temporal.client, `DocumentId = '${id}'`)).toEqual([]);
    }
  }

  const postMultipart = (parts: MultipartPart[]): Promise<ApiResponse<ErrorBody>> => {
    const { body, contentType } = multipartBody(parts);
    return callApi<ErrorBody>('POST', '/documents', {
      body: new Uint8Array(body),
      headers: { 'content-type': contentType },
    });
  };

  it('refuses an empty file (400)', async () => {
    await expectRefused(
      () => postMultipart([{ name: 'file', fileName: 'empty.txt', data: Buffer.alloc(0) }]),
      { status: 400, message: /empty\.txt is empty/, hashes: [sha256Of(Buffer.alloc(0))] },
    );
  });

  it('refuses a file that is only whitespace (400)', async () => {
    const blank = Buffer.from(' \n\t \n', 'utf8');
    await expectRefused(
      () => postMultipart([{ name: 'file', fileName: 'blank.txt', data: blank }]),
      { status: 400, message: /empty/, hashes: [sha256Of(blank)] },
    );
  });

  it('refuses a 51 MB upload while it streams in (413)', async () => {
    const upload = oversizedUpload(51 * MB);
    await expectRefused(
      async () => {
        const result = await streamUpload(upload);
        return { status: result.status, body: result.body };
      },
      { status: 413, message: /larger than the limit of 50 MB/, hashes: [upload.sha256] },
    );
  });

  it('stops reading an oversized body at the limit instead of receiving all of it (413)', async () => {
    const upload = oversizedUpload(1024 * MB);
    let bytesSent = 0;
    await expectRefused(
      async () => {
        const result = await streamUpload(upload);
        bytesSent = result.bytesSent;
        return { status: result.status, body: result.body };
      },
      { status: 413, message: /larger than the limit/, hashes: [] },
    );
    // The answer came while the client was still sending, a little past the limit.
    expect(bytesSent).toBeGreaterThan(MAX_UPLOAD_BYTES);
    expect(bytesSent).toBeLessThan(MAX_UPLOAD_BYTES + 128 * MB);
  });

  it('refuses at once a request whose Content-Length is over the limit (413)', async () => {
    await expectRefused(() => declareOversizedBody(MAX_UPLOAD_BYTES + 10 * MB), {
      status: 413,
      message: /larger than the limit/,
      hashes: [],
    });
  });

  it('refuses a GIF image (415; PNG, JPEG, TIFF and WebP go to OCR)', async () => {
    // A 1×1 GIF with a comment extension holding a token, so that its hash is new.
    const token = Buffer.from(uniqueToken(), 'latin1');
    const gif = Buffer.concat([
      Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00!\xfe', 'latin1'),
      Buffer.from([token.length]),
      token,
      Buffer.from('\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1'),
    ]);
    await expectRefused(
      () =>
        postMultipart([
          { name: 'file', fileName: 'photo.gif', contentType: 'image/gif', data: gif },
        ]),
      { status: 415, message: /a GIF image/, hashes: [sha256Of(gif)] },
    );
  });

  it('refuses a ZIP archive that is not a DOCX, even when named .txt (415)', async () => {
    const zip = await zipArchive();
    await expectRefused(() => postMultipart([{ name: 'file', fileName: 'notes.txt', data: zip }]), {
      status: 415,
      message: /ZIP archive/,
      hashes: [sha256Of(zip)],
    });
  });

  it('refuses an ELF executable named .pdf and sent as application/pdf (415)', async () => {
    const elf = elfExecutable();
    await expectRefused(
      () =>
        postMultipart([
          { name: 'file', fileName: 'report.pdf', contentType: 'application/pdf', data: elf },
        ]),
      {
        status: 415,
        message: /report\.pdf is an ELF executable, not a PDF/,
        hashes: [sha256Of(elf)],
      },
    );
  });

  it('refuses two file parts (400)', async () => {
    const fixtures = await documentFixtures();
    await expectRefused(
      () =>
        postMultipart([
          { name: 'file', fileName: fixtures.text.fileName, data: fixtures.text.bytes },
          { name: 'file', fileName: fixtures.markdown.fileName, data: fixtures.markdown.bytes },
        ]),
      {
        status: 400,
        message: /exactly one file part/,
        hashes: [sha256Of(fixtures.text.bytes), sha256Of(fixtures.markdown.bytes)],
      },
    );
  });

  it('refuses a file part under another field name (400)', async () => {
    const { text } = await documentFixtures();
    await expectRefused(
      () => postMultipart([{ name: 'document', fileName: text.fileName, data: text.bytes }]),
      { status: 400, message: /field "file"/, hashes: [sha256Of(text.bytes)] },
    );
  });

  it('refuses a multipart request without a file (400)', async () => {
    await expectRefused(() => postMultipart([{ name: 'title', data: 'no file here' }]), {
      status: 400,
      message: /no file part/,
      hashes: [],
    });
  });

  it.each([
    ['../../etc/passwd.txt', /path separators/],
    ['..\\..\\windows\\win.ini.txt', /path separators/],
    ['/etc/passwd.txt', /path separators/],
    ['..', /must not contain "\.\."/],
  ])('refuses the file name %j (400)', async (fileName, message) => {
    const { text } = await documentFixtures();
    await expectRefused(() => postMultipart([{ name: 'file', fileName, data: text.bytes }]), {
      status: 400,
      message,
      hashes: [sha256Of(text.bytes)],
    });
  });

  it.each([
    ['a bell', 'bell%07name.txt'],
    ['a newline', 'two%0Alines.txt'],
    ['an escape sequence', '%1B%5B31mred.txt'],
    ['a right-to-left override', 'invoice%E2%80%AEtxt.exe.txt'],
  ])('refuses a file name with %s (400)', async (_label, encodedFileName) => {
    const { text } = await documentFixtures();
    await expectRefused(
      () => postMultipart([{ name: 'file', encodedFileName, data: text.bytes }]),
      { status: 400, message: /control characters/, hashes: [sha256Of(text.bytes)] },
    );
  });

  it('refuses an empty file name (400)', async () => {
    const { text } = await documentFixtures();
    await expectRefused(() => postMultipart([{ name: 'file', fileName: '', data: text.bytes }]), {
      status: 400,
      message: /file name is empty/,
      hashes: [sha256Of(text.bytes)],
    });
  });

  it('refuses invalid UTF-8 bytes in the text of a JSON upload (400)', async () => {
    const token = uniqueToken();
    const body = Buffer.concat([
      Buffer.from(`{"title":"Broken bytes ${token}","text":"caf`, 'utf8'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(` au lait ${token}"}`, 'utf8'),
    ]);
    // What a lenient decoder would have stored: the bytes with replacement characters.
    const lenientText = JSON.parse(body.toString('utf8')) as { text: string };
    await expectRefused(
      () =>
        callApi<ErrorBody>('POST', '/documents', {
          body: new Uint8Array(body),
          headers: { 'content-type': 'application/json' },
        }),
      { status: 400, message: /not valid UTF-8/, hashes: [sha256Of(lenientText.text)] },
    );
  });

  it('refuses an unpaired surrogate escape in JSON text (400)', async () => {
    const text = `Lone surrogate \ud800 ${uniqueToken()}`;
    await expectRefused(
      () =>
        callApi<ErrorBody>('POST', '/documents', {
          body: `{"title":"Surrogate","text":${JSON.stringify(text).replace('\ud800', '\\ud800')}}`,
          headers: { 'content-type': 'application/json' },
        }),
      { status: 400, message: /text: contains an unpaired UTF-16 surrogate/, hashes: [] },
    );
  });

  it.each([
    ['no title', { text: `Some text ${uniqueToken()}` }, /title: is required/],
    ['no text', { title: 'A title' }, /text: is required/],
    ['an empty title', { title: '   ', text: `Text ${uniqueToken()}` }, /title: must not be empty/],
    ['blank text', { title: 'Blank', text: ' \n ' }, /text: must not be empty/],
    [
      'a 501-character title',
      { title: 'x'.repeat(501), text: `T ${uniqueToken()}` },
      /at most 500/,
    ],
    ['a number as text', { title: 'Number', text: 42 }, /text: Expected string/],
  ])('refuses JSON with %s (400)', async (_label, json, message) => {
    const text = (json as { text?: unknown }).text;
    await expectRefused(() => callApi<ErrorBody>('POST', '/documents', { json }), {
      status: 400,
      message,
      hashes: typeof text === 'string' ? [sha256Of(text)] : [],
    });
  });

  it('refuses a body that is not JSON (400)', async () => {
    await expectRefused(
      () =>
        callApi<ErrorBody>('POST', '/documents', {
          body: '{"title": "unterminated',
          headers: { 'content-type': 'application/json' },
        }),
      { status: 400, message: /not valid JSON/, hashes: [] },
    );
  });

  it('refuses other content types (415)', async () => {
    await expectRefused(
      () =>
        callApi<ErrorBody>('POST', '/documents', {
          body: `plain text ${uniqueToken()}`,
          headers: { 'content-type': 'text/plain' },
        }),
      { status: 415, message: /multipart\/form-data/, hashes: [] },
    );
  });
});

interface OversizedUpload {
  fileBytes: number;
  sha256: string;
  chunk: (index: number) => Buffer;
  chunkCount: number;
}

/** A text file of `fileBytes` made of 1 MB chunks, unique to this run, with its hash. */
function oversizedUpload(fileBytes: number): OversizedUpload {
  const token = uniqueToken();
  const line = `An oversized upload ${token} that must never be stored anywhere.\n`;
  const block = Buffer.from(line.repeat(Math.ceil(MB / line.length))).subarray(0, MB);
  const chunkCount = Math.ceil(fileBytes / MB);
  const chunk = (index: number) =>
    index < chunkCount - 1 ? block : block.subarray(0, fileBytes - (chunkCount - 1) * MB);
  // Hashing a gigabyte would be slow and proves nothing more: only the 51 MB file is hashed.
  let sha256 = '';
  if (fileBytes <= 64 * MB) {
    const hash = createHash('sha256');
    for (let index = 0; index < chunkCount; index++) hash.update(chunk(index));
    sha256 = hash.digest('hex');
  }
  return { fileBytes, sha256, chunk, chunkCount };
}

/**
 * Streams a multipart upload with chunked encoding (no Content-Length, so only the streaming
 * check can stop it), and stops sending as soon as the server answers.
 */
async function streamUpload(
  upload: OversizedUpload,
): Promise<{ status: number; body: unknown; bytesSent: number }> {
  const boundary = `----cairn-oversized-${uniqueToken()}`;
  const request = httpRequest(`${apiUrl}/documents`, {
    method: 'POST',
    headers: {
      ...(await defaultAuthHeaders()),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
  let bytesSent = 0;
  let answered = false;
  let wake: (() => void) | undefined;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on('response', (message) => {
      answered = true;
      wake?.();
      resolve(message);
    });
    // Once the server has answered and closed, further writes fail: that is expected.
    request.on('error', (error) => {
      wake?.();
      if (!answered) reject(error);
    });
  });
  /** Resolves when the socket takes more data, the server answers, or the request ends. */
  const writable = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        request.off('drain', done);
        request.off('close', done);
        wake = undefined;
        resolve();
      };
      wake = done;
      request.on('drain', done);
      request.on('close', done);
    });
  request.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n` +
      'Content-Type: text/plain\r\n\r\n',
  );
  for (let index = 0; index < upload.chunkCount && !answered; index++) {
    const chunk = upload.chunk(index);
    bytesSent += chunk.length;
    if (!request.write(chunk) && !answered) await writable();
  }
  if (!answered) request.end(`\r\n--${boundary}--\r\n`);
  const message = await response;
  const text = await readAll(message);
  request.destroy();
  return { status: message.statusCode ?? 0, body: parseJson(text), bytesSent };
}

/** Declares a body over the limit but sends none of it: the answer must not wait for it. */
async function declareOversizedBody(
  contentLength: number,
): Promise<{ status: number; body: unknown }> {
  const request = httpRequest(`${apiUrl}/documents`, {
    method: 'POST',
    headers: {
      ...(await defaultAuthHeaders()),
      'content-type': 'multipart/form-data; boundary=never-sent',
      'content-length': String(contentLength),
    },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  request.flushHeaders();
  const message = await response;
  const text = await readAll(message);
  request.destroy();
  return { status: message.statusCode ?? 0, body: parseJson(text) };
}

async function readAll(message: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of message) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
