import { Command, CommanderError, Option } from 'commander';
import { CairnApiError } from '../client';
import { CliContext, REQUEST_TIMEOUT_MS, UsageError } from './context';
import { registerAuthCommands } from './commands/auth';
import { registerDocumentCommands } from './commands/documents';
import { registerDomainCommands } from './commands/domains';
import { registerImportCommands } from './commands/imports';
import { registerMcpCommand } from './commands/mcp';
import { registerSearchCommands } from './commands/search';
import { registerUploadCommand } from './commands/upload';
import { registerWorkspaceCommands } from './commands/workspaces';

/** A command's body: gets the context of its invocation; a thrown error ends it (exit 1). */
export type Action<A extends unknown[]> = (context: CliContext, ...args: A) => Promise<void>;

/**
 * Wraps an action for commander: builds the context, and turns any error into one readable line
 * on stderr (the API's message and request id) and a non-zero exit code.
 */
export function action<A extends unknown[]>(body: Action<A>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const context = await CliContext.of(command);
    try {
      await body(context, ...(args.slice(0, -1) as A));
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (error instanceof TypeError && error.message === 'fetch failed') {
        throw new UsageError(
          `cannot reach the API at ${context.settings.apiUrl}: ${cause?.code ?? cause?.message ?? 'connection failed'}`,
        );
      }
      throw error;
    }
  };
}

export function describeError(error: unknown): string {
  if (error instanceof CairnApiError) {
    const id = error.requestId ? ` (request ${error.requestId})` : '';
    return `${error.message} [HTTP ${error.status}]${id}`;
  }
  if (error instanceof UsageError) return error.message;
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `the API did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return `cannot reach the API: ${cause?.code ?? cause?.message ?? 'connection failed'}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Cairn from the command line: upload, import, search and explore a workspace.')
    .version('0.1.0')
    .addOption(new Option('--json', 'print machine-readable JSON only'))
    .addOption(new Option('--profile <name>', 'the profile of ~/.config/cairn/config.json to use'))
    .addOption(new Option('--api <url>', 'the API to talk to (else CAIRN_API_URL or the profile)'))
    .addOption(
      new Option(
        '-w, --workspace <id>',
        'the workspace to act in (else CAIRN_WORKSPACE or the profile)',
      ),
    )
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });
  registerAuthCommands(program);
  registerWorkspaceCommands(program);
  registerUploadCommand(program);
  registerImportCommands(program);
  registerDocumentCommands(program);
  registerSearchCommands(program);
  registerDomainCommands(program);
  registerMcpCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`cairn: ${describeError(error)}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  }
}

if (require.main === module) void main();
