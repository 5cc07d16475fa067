import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

const MCP_PATH = /^\/mcp\/?(?:[?#].*)?$/i;
const ORIGINAL_CONTENT_TYPE = Symbol('cairn.mcpContentType');
type McpRequest = IncomingMessage & { [ORIGINAL_CONTENT_TYPE]?: string };

/**
 * POST /mcp bodies may carry a whole document (add_text_document), past Express's 100 KB JSON
 * limit: the MCP transport reads and checks the body itself (up to 4 MB). This hides the body's
 * Content-Type from Nest's parsers, which are added after providers are constructed, and
 * restoreMcpContentType gives it back before the transport reads the request.
 */
@Injectable()
export class McpBodyBypass {
  constructor(adapterHost: HttpAdapterHost) {
    adapterHost.httpAdapter?.use(
      (request: IncomingMessage, _: ServerResponse, next: () => void) => {
        const contentType = request.headers['content-type'];
        if (request.method === 'POST' && contentType && MCP_PATH.test(request.url ?? '')) {
          (request as McpRequest)[ORIGINAL_CONTENT_TYPE] = contentType;
          delete request.headers['content-type'];
        }
        next();
      },
    );
  }
}

export function restoreMcpContentType(request: IncomingMessage): void {
  const contentType = (request as McpRequest)[ORIGINAL_CONTENT_TYPE];
  if (contentType !== undefined) request.headers['content-type'] = contentType;
}
