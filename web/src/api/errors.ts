import { CairnApiError } from '../../../client';

/** Every API failure the console shows: status, the API's message and the request id. */
export { CairnApiError as ApiError };

/** A 429 of an upload, with how long the API asks to wait. */
export class RateLimitedError extends CairnApiError {
  constructor(
    message: string,
    requestId: string | undefined,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(429, message, requestId);
  }
}

interface ErrorBody {
  message?: unknown;
  requestId?: unknown;
}

/** The error an upload answer stands for (the API's JSON error body, read by XMLHttpRequest). */
export function uploadErrorFrom(
  status: number,
  body: unknown,
  headers: { requestId: string | null; retryAfter: string | null },
): CairnApiError {
  const parsed: ErrorBody = typeof body === 'object' && body !== null ? body : {};
  const message = Array.isArray(parsed.message)
    ? parsed.message.map(String).join('; ')
    : typeof parsed.message === 'string'
      ? parsed.message
      : `The upload failed (HTTP ${status})`;
  const requestId =
    typeof parsed.requestId === 'string' ? parsed.requestId : (headers.requestId ?? undefined);
  if (status === 429) {
    const seconds = Number(headers.retryAfter ?? NaN);
    return new RateLimitedError(message, requestId, Number.isNaN(seconds) ? undefined : seconds);
  }
  return new CairnApiError(status, message, requestId, body);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
