import type { Command } from 'commander';
import { type CairnClient, createCairnClient } from '../client';
import { type CliConfig, loadConfig, resolveSettings, type Settings } from './config';
import { Output } from './output';

/** Options every command takes (declared on the program). */
export interface GlobalOptions {
  json?: boolean;
  profile?: string;
  api?: string;
  workspace?: string;
}

export class UsageError extends Error {}

/** How long an ordinary request may take; event streams and downloads run as long as they need. */
export const REQUEST_TIMEOUT_MS = 120_000;

/** fetch that gives up on an API that accepted the connection but does not answer. */
export const fetchWithTimeout: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  if (/\/(events|content)$/.test(new URL(request.url).pathname)) return fetch(request);
  const signal = AbortSignal.any([request.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
  return fetch(new Request(request, { signal }));
};

/** What a command runs with: its output, the resolved profile, and the typed API client. */
export class CliContext {
  private clientInstance?: CairnClient;

  private constructor(
    readonly out: Output,
    readonly config: CliConfig,
    readonly settings: Settings,
    readonly options: GlobalOptions,
  ) {}

  static async of(command: Command): Promise<CliContext> {
    const options = command.optsWithGlobals<GlobalOptions>();
    const config = await loadConfig();
    const settings = resolveSettings(config, options);
    return new CliContext(new Output({ json: options.json }), config, settings, options);
  }

  /** The client, signed in; a command that needs credentials fails early without them. */
  get client(): CairnClient {
    if (!this.settings.token && !this.settings.apiKey) {
      throw new UsageError(
        `not signed in (profile ${this.settings.profileName}): run cairn login, or set CAIRN_TOKEN`,
      );
    }
    this.clientInstance ??= createCairnClient({
      baseUrl: this.settings.apiUrl,
      token: this.settings.token,
      apiKey: this.settings.apiKey,
      workspaceId: this.settings.workspace,
      fetch: fetchWithTimeout,
    });
    return this.clientInstance;
  }

  /** The workspace named by flag, environment or profile; an API key needs none. */
  requireWorkspace(): string | undefined {
    // Credentials first: without them the workspace is not the problem to report.
    void this.client;
    if (!this.settings.workspace && !this.settings.apiKey) {
      throw new UsageError(
        'no workspace chosen: cairn workspaces use <id> (or --workspace, or CAIRN_WORKSPACE)',
      );
    }
    return this.settings.workspace;
  }
}
