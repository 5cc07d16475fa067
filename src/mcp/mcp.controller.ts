import { All, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Response } from 'express';
import { createCairnClient } from '../../client';
import type { AuthenticatedRequest } from '../auth/principal';
import { CONFIG } from '../config/config.module';
import type { CairnConfig } from '../config/config';
import { createCairnMcpServer } from './cairn-mcp-server';
import { restoreMcpContentType } from './mcp-body-bypass';

/** The headers that carry the caller's credentials, passed on to the loopback requests. */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;

/**
 * The MCP server over Streamable HTTP, stateless: each POST is one JSON-RPC exchange with a server
 * made for it, acting as the caller. The global guards have authenticated the caller and resolved
 * the workspace before this runs (401 / 404 otherwise), like on every route.
 *
 * The tools call the API itself over loopback HTTP with the caller's own credentials, workspace
 * and client address (X-Forwarded-For, trusted from loopback), through the same typed client the
 * CLI uses. So the two transports share one implementation of every tool, and roles, validation,
 * rate limits and the audit log apply to an agent's calls exactly as to any other HTTP request,
 * at the cost of a loopback hop per call.
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  private readonly loopbackUrl: string;

  constructor(@Inject(CONFIG) config: CairnConfig) {
    const host = ['0.0.0.0', '::', '[::]'].includes(config.CAIRN_API_HOST)
      ? '127.0.0.1'
      : config.CAIRN_API_HOST;
    this.loopbackUrl = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.CAIRN_API_PORT}`;
  }

  @Post()
  async handle(@Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const forwarded = new Headers();
    for (const name of CREDENTIAL_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') forwarded.set(name, value);
    }
    if (request.workspaceId) forwarded.set('x-workspace-id', request.workspaceId);
    if (request.ip) forwarded.set('x-forwarded-for', request.ip);
    const client = createCairnClient({
      baseUrl: this.loopbackUrl,
      // An agent's call over its budget gets the 429 as a tool error at once, not a held request.
      maxRateLimitRetries: 0,
      fetch: (input, init) => {
        const outgoing = new Request(input, init);
        forwarded.forEach((value, name) => outgoing.headers.set(name, value));
        return fetch(outgoing);
      },
    });
    const server = createCairnMcpServer(client);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    restoreMcpContentType(request);
    await transport.handleRequest(request, response);
  }

  /**
   * A stateless server has nothing to push, so it offers no GET stream and no session to delete:
   * 405, as the Streamable HTTP transport specifies (clients then use POST only).
   */
  @All()
  @HttpCode(405)
  notAllowed(@Res({ passthrough: true }) response: Response): {
    jsonrpc: '2.0';
    error: { code: number; message: string };
    id: null;
  } {
    response.setHeader('Allow', 'POST');
    return {
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message: 'Method not allowed: this MCP server is stateless; use POST',
      },
      id: null,
    };
  }
}
