import type { Command } from 'commander';
import { createCairnClient, unwrap } from '../../client';
import { configPath, loadConfig, type Profile, saveConfig } from '../config';
import { UsageError } from '../context';
import { signLocalToken } from '../local-token';
import { action } from '../action';

interface LoginOptions {
  token?: string;
  apiKey?: string;
  email?: string;
  hours?: string;
}

/** The claims of a JWT, read without verifying it (the API verifies; this only shows who). */
export function tokenClaims(token: string): { sub?: string; email?: string; exp?: number } {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub?: string;
      email?: string;
      exp?: number;
    };
  } catch {
    return {};
  }
}

export function registerAuthCommands(program: Command): void {
  program
    .command('login')
    .description(
      'store credentials in a profile: an access token, an API key, or (local stack) a token signed for an e-mail',
    )
    .option('--token <token>', 'an access token from Supabase Auth')
    .option('--api-key <key>', 'an API key (ck_…); it acts in its own workspace')
    .option(
      '--email <email>',
      'local stack only: sign a token for this e-mail, as npm run token does',
    )
    .option('--hours <n>', 'with --email: how long the token is valid', '12')
    .action(
      action<[LoginOptions]>(async (context, options) => {
        const chosen = [options.token, options.apiKey, options.email].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('give exactly one of --token, --api-key or --email');
        const apiUrl = context.settings.apiUrl;
        let profile: Profile;
        if (options.email) {
          if (!/^[^@\s]+@[^@\s]+$/.test(options.email)) {
            throw new UsageError(`${options.email} is not an e-mail address`);
          }
          const hours = Number(options.hours);
          if (!(hours > 0)) throw new UsageError('--hours must be a positive number');
          const { token } = await signLocalToken(options.email, hours);
          profile = { apiUrl, token, email: options.email };
        } else if (options.token) {
          profile = { apiUrl, token: options.token, email: tokenClaims(options.token).email };
        } else {
          if (!options.apiKey!.startsWith('ck_'))
            throw new UsageError('an API key starts with ck_');
          profile = { apiUrl, apiKey: options.apiKey };
        }

        // Check the credential before storing it: a token the API refuses is not worth keeping.
        const client = createCairnClient({
          baseUrl: apiUrl,
          token: profile.token,
          apiKey: profile.apiKey,
        });
        let workspaces: { workspaceId: string; name: string; role: string }[] = [];
        try {
          if (profile.token) {
            workspaces = unwrap(await client.GET('/workspaces')).items;
          } else {
            unwrap(await client.GET('/workspaces/current'));
          }
        } catch (error) {
          if (options.email && (error as { status?: number }).status === 401) {
            throw new UsageError(
              `the API at ${apiUrl} refused a token signed with the local stack's secret: it verifies tokens with another secret or a JWKS; sign in with its identity provider and use --token`,
            );
          }
          throw error;
        }

        const config = await loadConfig();
        const name = context.settings.profileName;
        const previous = config.profiles[name];
        // Keep the chosen workspace when signing in again as the same person to the same API.
        const keepWorkspace =
          previous?.apiUrl === apiUrl &&
          previous.workspace &&
          workspaces.some((item) => item.workspaceId === previous.workspace);
        profile.workspace =
          context.options.workspace ??
          (keepWorkspace ? previous.workspace : undefined) ??
          (workspaces.length === 1 ? workspaces[0].workspaceId : undefined);
        config.profiles[name] = profile;
        config.currentProfile = name;
        await saveConfig(config);

        const who = profile.apiKey ? 'an API key' : (profile.email ?? 'a token');
        context.out.result(
          {
            profile: name,
            apiUrl,
            email: profile.email ?? null,
            workspace: profile.workspace ?? null,
          },
          () => {
            context.out.line(
              `Signed in to ${apiUrl} as ${who} (profile ${name}, ${configPath()}).`,
            );
            if (profile.workspace) context.out.line(`Workspace: ${profile.workspace}`);
            else if (profile.token) {
              context.out.line(
                workspaces.length === 0
                  ? 'No workspace yet: cairn workspaces create "<name>"'
                  : `Choose a workspace: cairn workspaces use <id> (${workspaces.map((item) => item.workspaceId).join(', ')})`,
              );
            }
          },
        );
      }),
    );

  program
    .command('logout')
    .description('forget the credentials of the profile')
    .action(
      action<[]>(async (context) => {
        const config = await loadConfig();
        const name = context.settings.profileName;
        const removed = delete config.profiles[name];
        await saveConfig(config);
        context.out.result({ profile: name, removed }, () =>
          context.out.line(removed ? `Profile ${name} removed.` : `No profile ${name}.`),
        );
      }),
    );

  program
    .command('whoami')
    .description('who the profile signs in as, in which workspace, with which role')
    .action(
      action<[]>(async (context) => {
        const { settings } = context;
        const claims = settings.token ? tokenClaims(settings.token) : {};
        let role: string | null = null;
        let workspaceName: string | null = null;
        let workspace = settings.workspace ?? null;
        if (workspace || settings.apiKey) {
          // The workspace the credentials act in (an API key's own), with the caller's role.
          const current = unwrap(await context.client.GET('/workspaces/current'));
          role = current.role;
          workspaceName = current.name;
          workspace = current.workspaceId;
        } else {
          unwrap(await context.client.GET('/workspaces'));
        }
        const summary = {
          profile: settings.profileName,
          apiUrl: settings.apiUrl,
          via: settings.apiKey ? 'apiKey' : 'token',
          userId: claims.sub ?? null,
          email: claims.email ?? settings.email ?? null,
          tokenExpiresAt: claims.exp ? new Date(claims.exp * 1000).toISOString() : null,
          workspace,
          workspaceName,
          role,
        };
        context.out.result(summary, () => {
          const { c } = context.out;
          const rows: [string, string | null][] = [
            ['profile', summary.profile],
            ['api', summary.apiUrl],
            [
              'signed in as',
              summary.via === 'apiKey'
                ? `API key ${settings.apiKey!.slice(0, 12)}…`
                : `${summary.email ?? '?'} (${summary.userId ?? '?'})`,
            ],
            ['token expires', summary.tokenExpiresAt],
            [
              'workspace',
              summary.workspace
                ? `${summary.workspace}${workspaceName ? ` (${workspaceName})` : ''}`
                : 'none chosen',
            ],
            ['role', role],
          ];
          for (const [label, value] of rows) {
            if (value !== null) context.out.line(`${c.dim(label.padEnd(14))}${value}`);
          }
        });
      }),
    );
}
