/**
 * The typed Cairn API client, shared by the web console (browser) and the CLI (Node 20): the
 * paths and schemas come from the OpenAPI document (schema.d.ts, `npm run client:generate`),
 * the requests from openapi-fetch. Only web-platform APIs here (fetch, streams, TextDecoder), so
 * the same file runs in both.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];
export type CairnClient = Client<paths>;

/** A value, or a function read before every request (a token that is refreshed, a workspace switch). */
export type Live<T> = T | (() => T);

export interface CairnClientOptions {
  /** The API's origin, e.g. http://127.0.0.1:3000; '' or a relative base in a page served by the API. */
  baseUrl: string;
  /** A Supabase Auth access token (sent as Authorization: Bearer). */
  token?: Live<string | null | undefined>;
  /** A ck_… API key (sent as X-API-Key); it names its workspace itself. */
  apiKey?: Live<string | null | undefined>;
  /** The workspace requests act in (X-Workspace-Id). */
  workspaceId?: Live<string | null | undefined>;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
  /** Answers 429 with a wait of Retry-After and another try, this many times at most (default 3). */
  maxRateLimitRetries?: number;
  /** A Retry-After longer than this (ms) is not waited for: the 429 is returned (default 30 s). */
  maxRetryWaitMs?: number;
}

/** The body every error of the API carries (src/common/errors/all-exceptions.filter.ts). */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId?: string;
}

/** An API answer that is not 2xx, with what a person needs to report it. */
export class CairnApiError extends Error {
  override readonly name = 'CairnApiError';

  constructor(
    readonly status: number,
    message: string,
    /** The X-Request-Id of the failed request: it names the request in the API's logs. */
    readonly requestId: string | undefined,
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** Builds the error from a failed response and its parsed body (JSON or text). */
  static fromResponse(response: Response, body: unknown): CairnApiError {
    const headerId = response.headers.get('x-request-id') ?? undefined;
    if (isErrorBody(body)) {
      const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
      return new CairnApiError(response.status, message, body.requestId ?? headerId, body);
    }
    const text = typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : '';
    const fallback = `${response.status} ${response.statusText || 'error'}`.trim();
    return new CairnApiError(response.status, text || fallback, headerId, body);
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ApiErrorBody>;
  return (
    typeof candidate.statusCode === 'number' &&
    (typeof candidate.message === 'string' || Array.isArray(candidate.message))
  );
}

/** openapi-fetch's result of one call; `unwrap` turns its error half into a CairnApiError. */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or a CairnApiError carrying the API's message and request id. */
export function unwrap<T>(result: FetchResult<T>): T {
  if (result.error !== undefined || !result.response.ok) {
    throw CairnApiError.fromResponse(result.response, result.error);
  }
  return result.data as T;
}

/** Milliseconds a Retry-After header asks to wait (seconds or an HTTP date); undefined if absent. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new Error('aborted');

const sleep = (ms: number, signal?: AbortSignal | null): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      if (signal) reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Answers worth another try after a wait: 429 (the caller's rate budget), and 503 with a
 * Retry-After (a busy API process shed the request before doing anything, or a store it needs is
 * briefly down: the API answers so only when nothing was changed).
 */
export function isWorthRetrying(response: Response): boolean {
  return (
    response.status === 429 || (response.status === 503 && response.headers.has('retry-after'))
  );
}

/**
 * A fetch that waits and tries again when the API answers 429 (or 503 with Retry-After), as its
 * Retry-After asks (1 s when it gives none), at most `maxRetries` times and never longer than
 * `maxWaitMs` a wait.
 */
export function politeFetch(
  inner: typeof globalThis.fetch,
  { maxRetries = 3, maxWaitMs = 30_000 }: { maxRetries?: number; maxWaitMs?: number } = {},
): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    for (let attempt = 0; ; attempt++) {
      // A body can be read once: keep a copy for the next try while there may be one.
      const sent = attempt < maxRetries ? request.clone() : request;
      const response = await inner(sent);
      if (!isWorthRetrying(response) || attempt >= maxRetries) return response;
      const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? 1000;
      if (waitMs > maxWaitMs) return response;
      await response.body?.cancel();
      await sleep(waitMs, request.signal);
    }
  };
}

const read = <T>(value: Live<T> | undefined): T | undefined =>
  typeof value === 'function' ? (value as () => T)() : value;

/**
 * The typed client: `client.GET('/documents/{id}', { params: { path: { id } } })` and so on, with
 * the credentials and workspace added to every request and 429s retried politely.
 */
export function createCairnClient(options: CairnClientOptions): CairnClient {
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    fetch: politeFetch(baseFetch, {
      maxRetries: options.maxRateLimitRetries,
      maxWaitMs: options.maxRetryWaitMs,
    }),
  });
  const credentials: Middleware = {
    onRequest({ request }) {
      const token = read(options.token);
      const apiKey = read(options.apiKey);
      const workspaceId = read(options.workspaceId);
      if (token && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${token}`);
      }
      if (apiKey && !request.headers.has('x-api-key')) request.headers.set('x-api-key', apiKey);
      if (workspaceId && !request.headers.has('x-workspace-id')) {
        request.headers.set('x-workspace-id', workspaceId);
      }
      return request;
    },
  };
  client.use(credentials);
  return client;
}

/** One Server-Sent Event as the API sends it; `data` is the raw text (JSON for Cairn's streams). */
export interface ServerSentEvent {
  /** "message" unless the event names its type (Cairn names heartbeats "heartbeat"). */
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/**
 * Reads a text/event-stream body as events, as the HTML standard parses them, over a fetch
 * response (so it works in Node, which has no EventSource, and can send auth headers). Ends with
 * the stream; breaking out of the loop cancels it.
 */
export async function* readEventStream(
  source: Response | ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const body = source instanceof ReadableStream ? source : source.body;
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  let retry: number | undefined;
  let first = true;

  // Returns the event a blank line completes, if it has data.
  const field = (line: string): ServerSentEvent | undefined => {
    if (line === '') {
      const complete =
        data.length > 0
          ? { event: event || 'message', data: data.join('\n'), id, retry }
          : undefined;
      data = [];
      event = '';
      retry = undefined;
      return complete;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') data.push(value);
    else if (name === 'event') event = value;
    else if (name === 'id' && !value.includes('\0')) id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    return undefined;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      // Lines end in \r\n, \n or \r; a \r at the very end may be the first half of a \r\n.
      let match: RegExpExecArray | null;
      const lineEnd = /\r\n|\n|\r(?!$)/g;
      let start = 0;
      while ((match = lineEnd.exec(buffer)) !== null) {
        const complete = field(buffer.slice(start, match.index));
        start = match.index + match[0].length;
        if (complete) yield complete;
      }
      buffer = buffer.slice(start);
      if (done) {
        // A final \r ends its line; a last line without any end is dropped, as the standard says,
        // and so is an event no blank line completed.
        if (buffer.endsWith('\r')) {
          const complete = field(buffer.slice(0, -1));
          if (complete) yield complete;
        }
        return;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** The events of a stream with JSON data, parsed; heartbeats are skipped. */
export async function* readJsonEvents<T = unknown>(
  source: Response | ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: T; id?: string }, void, undefined> {
  for await (const message of readEventStream(source)) {
    if (message.event === 'heartbeat') continue;
    yield { event: message.event, data: JSON.parse(message.data) as T, id: message.id };
  }
}
