import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

// POST /documents reads its own body: multipart is streamed to disk with a size limit, and JSON
// must be decoded strictly (Express's JSON parser replaces invalid UTF-8 silently and stops at
// 100 KB). Nest registers its body parsers for every route when the app initialises, so this
// middleware hides the upload's Content-Type from them and keeps it for the controller.

const UPLOAD_PATH = /^\/documents\/?$/i;
const ORIGINAL_CONTENT_TYPE = Symbol('cairn.uploadContentType');

type UploadRequest = IncomingMessage & { [ORIGINAL_CONTENT_TYPE]?: string | null };

export function keepUploadBodyUnparsed(
  request: IncomingMessage,
  _response: ServerResponse,
  next: () => void,
): void {
  if (request.method === 'POST' && UPLOAD_PATH.test(pathOf(request.url ?? ''))) {
    (request as UploadRequest)[ORIGINAL_CONTENT_TYPE] = request.headers['content-type'] ?? null;
    delete request.headers['content-type'];
  }
  next();
}

/**
 * The path the router will match, for every request-target form Node accepts: origin form
 * (`/documents?x`), absolute form (`http://host/documents`), with or without a fragment. Node
 * passes the target through as sent, and Express routes on its parsed path: matching the raw
 * string let `POST http://host/documents` reach the upload route without this bypass (500).
 */
function pathOf(target: string): string {
  if (target.startsWith('/') && !target.startsWith('//')) {
    return target.split(/[?#]/, 1)[0];
  }
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/**
 * The upload's real Content-Type (null when the client sent none). Throws when the bypass did
 * not run, because then a body parser may already have consumed the stream.
 */
export function uploadContentType(request: IncomingMessage): string | null {
  const contentType = (request as UploadRequest)[ORIGINAL_CONTENT_TYPE];
  if (contentType === undefined) throw new Error('keepUploadBodyUnparsed did not run');
  return contentType;
}

/** Installs the middleware at construction, which is before Nest adds its body parsers. */
@Injectable()
export class UploadBodyParsingBypass {
  constructor(adapterHost: HttpAdapterHost) {
    // Application contexts without HTTP (the workers) have no adapter.
    adapterHost.httpAdapter?.use(keepUploadBodyUnparsed);
  }
}
