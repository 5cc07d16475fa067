import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { CairnConfig } from '../config/config';
import { toErrorBody } from '../common/errors/all-exceptions.filter';
import type { RequestWithId } from '../common/http/request-id';
import { CairnError } from '../common/errors/cairn-error';
import { consoleSecurityHeaders } from './console-headers';

/** Where `npm run web:build` writes the console: <checkout>/dist/web. */
export function defaultConsoleDir(from = __dirname): string {
  let directory = from;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) return resolve(from, 'dist/web');
    directory = parent;
  }
  return join(directory, 'dist/web');
}

/** The console's own pages: GET / and anything under /app (the SPA routes them itself). */
export const isConsolePage = (path: string): boolean =>
  path === '/' || path === '/app' || path.startsWith('/app/');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the web console (web/, built into dist/web) from the API's origin: its hashed files
 * under /assets with a year's cache, index.html (no-cache, so a new build is picked up at once)
 * for / and every /app/… route, and the files Vite copies from web/public. Every other path is
 * the API's, unchanged. All console responses carry the CSP and related headers.
 */
export function consoleMiddleware(
  config: CairnConfig,
): (request: Request, response: Response, next: NextFunction) => void {
  const directory = config.CAIRN_CONSOLE_DIR || defaultConsoleDir();
  const headers = consoleSecurityHeaders({ supabaseUrl: config.CAIRN_SUPABASE_URL });

  // Sends a file of the build (relative path; `root` refuses anything outside the directory).
  const sendFile = (request: Request, response: Response, path: string, cache: string) => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('Cache-Control', cache);
    response.sendFile(path, { root: directory, dotfiles: 'deny', cacheControl: false }, (error) => {
      if (!error || response.headersSent) return;
      const message =
        path === 'index.html'
          ? 'The web console is not built: npm run web:build'
          : `/${path} is not a file of this console build`;
      notFound(request, response, message);
    });
  };

  return (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    // originalUrl: Nest mounts the middleware on a pattern, which Express strips from request.path.
    const path = request.originalUrl.split('?')[0];
    if (isConsolePage(path)) return sendFile(request, response, 'index.html', 'no-cache');
    // A missing hashed file is a 404, never the index: a stale page must not get HTML as script.
    if (path.startsWith('/assets/')) return sendFile(request, response, path.slice(1), IMMUTABLE);
    // Top-level files of web/public (favicon.svg); anything else is the API's.
    if (PUBLIC_FILE.test(path)) return sendFile(request, response, path.slice(1), 'no-cache');
    next();
  };
}

const PUBLIC_FILE = /^\/[\w-]+\.(svg|ico|png|txt|webmanifest)$/;

function notFound(request: Request, response: Response, message: string): void {
  const body = toErrorBody(
    new CairnError('not_found', message),
    (request as RequestWithId).requestId,
  );
  response.status(body.statusCode).json(body);
}
