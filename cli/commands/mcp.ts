import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createCairnMcpServer } from '../../src/mcp/cairn-mcp-server';
import { action } from '../action';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      "an MCP server over stdio for assistants that start a command: Cairn's search, reading and adding tools, acting with this profile",
    )
    .action(
      action<[]>(async (context) => {
        // stdout carries the protocol only: nothing else may be written there from now on.
        const server = createCairnMcpServer(context.client);
        const transport = new StdioServerTransport();
        const closed = new Promise<void>((resolve) => {
          transport.onclose = () => resolve();
          process.stdin.once('end', () => resolve());
        });
        await server.connect(transport);
        process.stderr.write(
          `cairn mcp: serving ${context.settings.apiUrl}${context.settings.workspace ? `, workspace ${context.settings.workspace}` : ''} on stdio\n`,
        );
        await closed;
        await server.close();
      }),
    );
}
