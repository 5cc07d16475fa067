/**
 * What went wrong, independent of transport. Services, repositories and guards throw these
 * (never @nestjs/common's HTTP exceptions: ESLint refuses them outside the HTTP edge); the
 * exception filter is the one place that turns a code into a status.
 */
export type CairnErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'dependency_unavailable';

export class CairnError extends Error {
  /** Several problems at once (e.g. every failed field of a body), answered as a list. */
  readonly problems?: readonly string[];

  constructor(
    readonly code: CairnErrorCode,
    message: string | readonly string[],
    options?: { cause?: unknown },
  ) {
    super(typeof message === 'string' ? message : message.join('; '), options);
    this.name = 'CairnError';
    if (typeof message !== 'string') this.problems = [...message];
  }

  /** The status family's HTTP status (the filter's mapping, here so logs can show it too). */
  get httpStatus(): number {
    return httpStatusByErrorCode[this.code];
  }
}

export const httpStatusByErrorCode: Record<CairnErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  dependency_unavailable: 503,
};

type ErrorOptions = { cause?: unknown };

/** The request (body, query, path) cannot be used as it is: 400. */
export function invalidInput(
  message: string | readonly string[],
  options?: ErrorOptions,
): CairnError {
  return new CairnError('invalid_input', message, options);
}

/** The caller may not do this: 403. */
export function forbidden(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('forbidden', message, options);
}

/** Nothing by that id in the caller's workspace: 404. */
export function notFound(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('not_found', message, options);
}

/** The resource's current state refuses the change (being deleted, already running…): 409. */
export function conflict(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('conflict', message, options);
}

/** The body is larger than the configured limit: 413. */
export function payloadTooLarge(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('payload_too_large', message, options);
}

/** The body's type is one Cairn does not read (or not what it claims to be): 415. */
export function unsupportedMediaType(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('unsupported_media_type', message, options);
}

/** Something Cairn depends on (an engine, a workflow) cannot serve the request now: 503. */
export function unavailable(message: string, options?: ErrorOptions): CairnError {
  return new CairnError('dependency_unavailable', message, options);
}
