/**
 * What went wrong, independent of transport. Services throw these; the HTTP exception
 * filter is the one place that turns a code into a status.
 */
export type CairnErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'dependency_unavailable';

export class CairnError extends Error {
  constructor(
    readonly code: CairnErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CairnError';
  }
}

export const httpStatusByErrorCode: Record<CairnErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  dependency_unavailable: 503,
};
