import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Runs a middleware for every request except those to the given paths (e.g. scrapes of /metrics). */
export function exceptPaths(paths: string[], middleware: RequestHandler): RequestHandler {
  const skipped = new Set(paths);
  return (request: Request, response: Response, next: NextFunction) => {
    if (skipped.has(request.path)) return next();
    return middleware(request, response, next);
  };
}
