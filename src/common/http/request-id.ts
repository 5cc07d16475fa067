import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithRequest } from '../logging/request-context';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller-supplied id is kept only when it is short and plain, so it is safe to log and echo.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type RequestWithId = Request & { requestId?: string };

export function chooseRequestId(incoming: string | string[] | undefined): string {
  const candidate = Array.isArray(incoming) ? incoming[0] : incoming;
  return candidate && ACCEPTABLE_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/**
 * Accepts or generates X-Request-Id, stores it on the request and echoes it on the response. The
 * rest of the request runs with the request in context, so every log line it writes names it.
 */
export function requestIdMiddleware(
  request: RequestWithId,
  response: Response,
  next: NextFunction,
): void {
  const requestId = chooseRequestId(request.headers[REQUEST_ID_HEADER]);
  request.requestId = requestId;
  response.setHeader('X-Request-Id', requestId);
  runWithRequest(request, next);
}
