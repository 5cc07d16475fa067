/**
 * Streaming uploads for the typed client: a document or an import source sent as multipart
 * without holding it in memory, with the bytes sent reported as they go, and 429s (and 503s
 * with Retry-After: a busy API) waited out as Retry-After asks (the source is opened anew for each try). Web-platform APIs only (fetch,
 * streams), like client/index.ts; the caller turns a file into a ReadableStream.
 */
import { CairnApiError, type CairnClientOptions, isWorthRetrying, retryAfterMs } from './index';

export type UploadClientOptions = Pick<
  CairnClientOptions,
  | 'baseUrl'
  | 'token'
  | 'apiKey'
  | 'workspaceId'
  | 'fetch'
  | 'maxRateLimitRetries'
  | 'maxRetryWaitMs'
>;

/** Something that can be read again from the start: a retry sends it anew. */
export interface UploadSource {
  /** The file name the API records (no path). */
  fileName: string;
  open(): ReadableStream<Uint8Array>;
  /** Its size, when known (for progress). */
  sizeBytes?: number;
}

export interface UploadProgressOptions {
  /** Called with the bytes of the source handed to the connection so far. */
  onProgress?: (sentBytes: number) => void;
  signal?: AbortSignal;
}

export interface DocumentAccepted {
  id: string;
  status: string;
  workflowId: string;
  temporalUiUrl: string;
  /** The version this upload concerns (its events are the ones to follow); id without sourceKey. */
  versionId?: string;
  version?: number | null;
}

export interface ImportAccepted {
  id: string;
  status: string;
  workflowId: string;
  temporalUiUrl?: string;
  [key: string]: unknown;
}

/**
 * POST /documents with one file part (and a title, a sourceKey, if given) → 202 {id, status, …}.
 * Under a sourceKey, other bytes than the current version's are a new version of that document.
 */
export function uploadDocument(
  options: UploadClientOptions,
  source: UploadSource,
  progress: UploadProgressOptions & { title?: string; sourceKey?: string } = {},
): Promise<DocumentAccepted> {
  const fields: Record<string, string> = progress.title ? { title: progress.title } : {};
  if (progress.sourceKey !== undefined) fields.sourceKey = progress.sourceKey;
  return postMultipart<DocumentAccepted>(options, '/documents', fields, source, progress);
}

/** POST /imports with a JSONL file or a zip/tar(.gz) archive as the file part → 202. */
export function startImport(
  options: UploadClientOptions,
  source: UploadSource,
  progress: UploadProgressOptions & { batchSize?: number; parallelBatches?: number } = {},
): Promise<ImportAccepted> {
  const query = new URLSearchParams();
  if (progress.batchSize !== undefined) query.set('batchSize', String(progress.batchSize));
  if (progress.parallelBatches !== undefined) {
    query.set('parallelBatches', String(progress.parallelBatches));
  }
  const search = query.toString();
  const path = search ? `/imports?${search}` : '/imports';
  return postMultipart<ImportAccepted>(options, path, {}, source, progress);
}

const read = <T>(value: T | (() => T) | undefined): T | undefined =>
  typeof value === 'function' ? (value as () => T)() : value;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A quoted multipart parameter: quotes and line breaks would end the header early. */
const quoted = (value: string) => `"${value.replace(/[\r\n"\\]/g, '_')}"`;

async function postMultipart<T>(
  options: UploadClientOptions,
  path: string,
  fields: Record<string, string>,
  source: UploadSource,
  progress: UploadProgressOptions,
): Promise<T> {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const maxRetries = options.maxRateLimitRetries ?? 3;
  const maxWaitMs = options.maxRetryWaitMs ?? 30_000;
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`;
  for (let attempt = 0; ; attempt++) {
    const boundary = `----cairn${crypto.randomUUID().replace(/-/g, '')}`;
    const headers = new Headers({ 'content-type': `multipart/form-data; boundary=${boundary}` });
    const token = read(options.token);
    const apiKey = read(options.apiKey);
    const workspaceId = read(options.workspaceId);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (apiKey) headers.set('x-api-key', apiKey);
    if (workspaceId) headers.set('x-workspace-id', workspaceId);
    progress.onProgress?.(0);
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers,
      body: multipartBody(boundary, fields, source, progress.onProgress),
      duplex: 'half',
      signal: progress.signal,
    };
    const response = await fetchImpl(url, init);
    if (isWorthRetrying(response) && attempt < maxRetries) {
      const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? 1000;
      if (waitMs <= maxWaitMs) {
        await response.body?.cancel();
        await sleep(waitMs);
        continue;
      }
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): keep the text for the error message.
    }
    if (!response.ok) throw CairnApiError.fromResponse(response, body);
    return body as T;
  }
}

/** The multipart body as a stream: the fields, then the file part read from its source. */
function multipartBody(
  boundary: string,
  fields: Record<string, string>,
  source: UploadSource,
  onProgress?: (sentBytes: number) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let head = '';
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(source.fileName)}\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let sent = 0;
  let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === 'head') {
        controller.enqueue(encoder.encode(head));
        stage = 'file';
        reader = source.open().getReader();
        return;
      }
      if (stage === 'file') {
        const { done, value } = await reader!.read();
        if (!done) {
          sent += value.byteLength;
          onProgress?.(sent);
          controller.enqueue(value);
          return;
        }
        stage = 'tail';
      }
      if (stage === 'tail') {
        controller.enqueue(encoder.encode(tail));
        stage = 'done';
        controller.close();
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}
