/** An API answer that was not a success, with what the API said and the request's id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly requestId?: string,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  message?: unknown;
  requestId?: unknown;
  error?: unknown;
}

/** Builds an ApiError from the API's JSON error body ({statusCode, error, message, requestId}). */
export function apiErrorFrom(status: number, body: unknown, headers?: Headers): ApiError {
  const parsed: ErrorBody = typeof body === 'object' && body !== null ? body : {};
  const message = Array.isArray(parsed.message)
    ? parsed.message.map(String).join('; ')
    : typeof parsed.message === 'string'
      ? parsed.message
      : typeof parsed.error === 'string'
        ? parsed.error
        : status === 0
          ? 'The API could not be reached'
          : `The request failed (HTTP ${status})`;
  const requestId =
    typeof parsed.requestId === 'string'
      ? parsed.requestId
      : (headers?.get('x-request-id') ?? undefined);
  const retryAfter = Number(headers?.get('retry-after') ?? NaN);
  return new ApiError(
    status,
    message,
    requestId,
    Number.isNaN(retryAfter) ? undefined : retryAfter,
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
