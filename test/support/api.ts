// The running API under test: npm test starts it and sets CAIRN_API_URL.
import { defaultAuthHeaders } from './auth';

export const apiUrl = (process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * One HTTP call to the API; JSON bodies are parsed, anything else is returned as text. It acts
 * as the default test user in the default test workspace unless `auth: false` (no credentials)
 * or the call brings credentials of its own (Authorization or X-API-Key).
 */
export async function callApi<T = unknown>(
  method: string,
  path: string,
  options: {
    json?: unknown;
    body?: BodyInit;
    headers?: Record<string, string>;
    auth?: false;
  } = {},
): Promise<ApiResponse<T>> {
  const ownCredentials = Object.keys(options.headers ?? {}).some((name) =>
    ['authorization', 'x-api-key'].includes(name.toLowerCase()),
  );
  const credentials = options.auth === false || ownCredentials ? {} : await defaultAuthHeaders();
  const headers: Record<string, string> = { ...credentials, ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${apiUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    parsed = JSON.parse(text);
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}
