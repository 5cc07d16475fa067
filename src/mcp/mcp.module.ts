import { Module } from '@nestjs/common';
import { McpBodyBypass } from './mcp-body-bypass';
import { McpController } from './mcp.controller';

/** Cairn's MCP server over Streamable HTTP at POST /mcp (the stdio one is `cairn mcp`). */
@Module({ controllers: [McpController], providers: [McpBodyBypass] })
export class McpModule {}
