import { Command, CommanderError, Option } from 'commander';
import { describeError } from './action';
import { registerAuthCommands } from './commands/auth';
import { registerDocumentCommands } from './commands/documents';
import { registerDomainCommands } from './commands/domains';
import { registerImportCommands } from './commands/imports';
import { registerMcpCommand } from './commands/mcp';
import { registerSearchCommands } from './commands/search';
import { registerUploadCommand } from './commands/upload';
import { registerWorkspaceCommands } from './commands/workspaces';

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
