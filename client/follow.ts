/**
 * Following a document or an import to its end over its Server-Sent Events, with the typed
 * client: every event is handed to `onEvent`, and the last one (indexed / failed / deleted, or a
 * final import status) is returned. A stream that closes early (a proxy's idle timeout, an API
 * restart) is opened again; the API starts each stream with the current state, so nothing is
 * missed. Web-platform APIs only, like client/index.ts.
 */
import { type CairnClient, CairnApiError, readJsonEvents, unwrap } from './index';

export interface DocumentEvent {
  documentId: string;
  status: 'pending' | 'processing' | 'indexed' | 'failed' | 'deleting' | 'deleted';
  stage: string | null;
  error?: string | null;
  counts?: { chunks?: number; entities?: number; relations?: number; mentions?: number };
  at: string;
}

export interface ImportEvent {
  importId: string;
  status: 'pending' | 'expanding' | 'processing' | 'completed' | 'completed_with_errors' | 'failed';
  total: number;
  done: number;
  failed: number;
  error: string | null;
  at: string;
}

const FINAL_DOCUMENT = new Set(['indexed', 'failed', 'deleted']);
const FINAL_IMPORT = new Set(['completed', 'completed_with_errors', 'failed']);

export interface FollowOptions<E> {
  onEvent?: (event: E) => void;
  /** Give up after this long (ms); the result is then the last event seen. Default: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class FollowTimeout extends Error {
  constructor(
    readonly what: string,
    readonly last: unknown,
  ) {
    super(`${what} did not finish in time`);
  }
}

/** How often the record is read beside the stream, in case the stream misses the last event. */
const CHECK_EVERY_MS = 5_000;

async function follow<E extends { status: string }>(
  open: (signal: AbortSignal) => Promise<Response>,
  check: () => Promise<E>,
  isFinal: (event: E) => boolean,
  what: string,
  options: FollowOptions<E>,
): Promise<E> {
  const controller = new AbortController();
  // A stream that stays open without its final event (an event published between the stream's
  // first state and its subscription) must not hold the caller forever: the record decides.
  let checked: E | undefined;
  const checker = setInterval(() => {
    check()
      .then((event) => {
        if (!checked && isFinal(event)) {
          checked = event;
          controller.abort();
        }
      })
      .catch(() => undefined);
  }, CHECK_EVERY_MS);
  const abort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abort, { once: true });
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(() => controller.abort(), options.timeoutMs)
      : undefined;
  let last: E | undefined;
  try {
    for (let reopen = 0; ; reopen++) {
      const response = await open(controller.signal);
      for await (const message of readJsonEvents<E>(response)) {
        last = message.data;
        options.onEvent?.(last);
        if (isFinal(last)) return last;
      }
      // Closed before the end: open again, a little later each time.
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * (reopen + 1), 2000)));
      if (controller.signal.aborted) break;
    }
  } catch (error) {
    if (!checked && (!controller.signal.aborted || options.signal?.aborted)) throw error;
  } finally {
    clearInterval(checker);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  }
  if (checked) {
    options.onEvent?.(checked);
    return checked;
  }
  throw new FollowTimeout(what, last);
}

/** Follows GET /documents/{id}/events until the document is indexed, failed or deleted. */
export function followDocument(
  client: CairnClient,
  id: string,
  options: FollowOptions<DocumentEvent> = {},
): Promise<DocumentEvent> {
  return follow<DocumentEvent>(
    async (signal) =>
      streamOf(
        await client.GET('/documents/{id}/events', {
          params: { path: { id } },
          parseAs: 'stream',
          signal,
        }),
      ),
    async () => {
      const doc = unwrap(await client.GET('/documents/{id}', { params: { path: { id } } }));
      return {
        documentId: doc.id,
        status: doc.status,
        stage: doc.stage,
        error: doc.error,
        counts: doc.counts,
        at: doc.updatedAt,
      };
    },
    (event) => FINAL_DOCUMENT.has(event.status),
    `document ${id}`,
    options,
  );
}

/** Follows GET /imports/{id}/events until the import completes or fails. */
export function followImport(
  client: CairnClient,
  id: string,
  options: FollowOptions<ImportEvent> = {},
): Promise<ImportEvent> {
  return follow<ImportEvent>(
    async (signal) =>
      streamOf(
        await client.GET('/imports/{id}/events', {
          params: { path: { id } },
          parseAs: 'stream',
          signal,
        }),
      ),
    async () => {
      const record = unwrap(await client.GET('/imports/{id}', { params: { path: { id } } }));
      return {
        importId: record.id,
        status: record.status,
        total: record.total,
        done: record.done,
        failed: record.failed,
        error: record.error,
        at: record.updatedAt,
      };
    },
    (event) => FINAL_IMPORT.has(event.status),
    `import ${id}`,
    options,
  );
}

function streamOf(result: { data?: unknown; error?: unknown; response: Response }): Response {
  unwrap(result);
  return result.response;
}

export { CairnApiError };
