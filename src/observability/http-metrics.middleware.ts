import type { NextFunction, Request, Response } from 'express';
import { httpRequestDuration, httpRequestsTotal, secondsSince } from './metrics';

/** The route template that matched (`/documents/:id`), so that ids never become label values. */
export function routeTemplate(request: Request): string {
  // Express types `route` as any; it is the matched Route, whose path is the template.
  const route = request.route as { path?: unknown } | undefined;
  if (typeof route?.path !== 'string') return 'unmatched';
  return `${request.baseUrl}${route.path}` || '/';
}

/** Counts and times every request by method, route template and status. */
export function httpMetricsMiddleware(request: Request, response: Response, next: NextFunction) {
  const startedAt = process.hrtime.bigint();
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    // 499 (as nginx logs it): the client went away before a response was sent.
    const status = response.writableFinished || response.headersSent ? response.statusCode : 499;
    const labels = {
      method: request.method,
      route: routeTemplate(request),
      status: String(status),
    };
    httpRequestsTotal.inc(labels);
    httpRequestDuration.observe(labels, secondsSince(startedAt));
  };
  response.on('finish', record);
  response.on('close', record);
  next();
}
