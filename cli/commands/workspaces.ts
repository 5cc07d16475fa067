import type { Command } from 'commander';
import { unwrap } from '../../client';
import { loadConfig, saveConfig } from '../config';
import { type CliContext, UsageError } from '../context';
import { action } from '../action';

const ROLES = ['owner', 'admin', 'editor', 'viewer'];
const KEY_ROLES = ['admin', 'editor', 'viewer'];

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

/** The workspace a /workspaces/{workspaceId}/… command acts on. */
function workspaceOf(context: CliContext): string {
  const workspace = context.settings.workspace;
  if (!workspace) {
    throw new UsageError(
      'name the workspace: cairn workspaces use <id>, --workspace, or CAIRN_WORKSPACE',
    );
  }
  return workspace;
}

async function useWorkspace(context: CliContext, workspaceId: string): Promise<void> {
  const config = await loadConfig();
  const profile = config.profiles[context.settings.profileName];
  if (!profile) throw new UsageError(`no profile ${context.settings.profileName}: run cairn login`);
  profile.workspace = workspaceId;
  await saveConfig(config);
}

export function registerWorkspaceCommands(program: Command): void {
  const workspaces = program
    .command('workspaces')
    .alias('ws')
    .description('the workspaces you belong to');

  workspaces
    .command('ls')
    .description('list your workspaces with your role in each')
    .action(
      action<[]>(async (context) => {
        const { items } = unwrap(await context.client.GET('/workspaces'));
        context.out.result(items, () =>
          context.out.table(
            ['', 'id', 'name', 'role', 'created'],
            items.map((item) => [
              item.workspaceId === context.settings.workspace ? '*' : '',
              item.workspaceId,
              item.name,
              item.role,
              when(item.createdAt),
            ]),
          ),
        );
      }),
    );

  workspaces
    .command('create <name>')
    .description('create a workspace (you become its owner) and use it')
    .option(
      '--id <id>',
      'its id (lower-case letters, digits, dashes); derived from the name if absent',
    )
    .option('--no-use', 'do not make it the profile’s workspace')
    .action(
      action<[string, { id?: string; use: boolean }]>(async (context, name, options) => {
        const created = unwrap(
          await context.client.POST('/workspaces', {
            body: { name, ...(options.id ? { id: options.id } : {}) },
          }),
        );
        if (options.use) await useWorkspace(context, created.id);
        context.out.result(created, () =>
          context.out.line(
            `Created workspace ${created.id} (${created.name})${options.use ? '; now in use' : ''}.`,
          ),
        );
      }),
    );

  workspaces
    .command('use <id>')
    .description('make commands of this profile act in the workspace')
    .action(
      action<[string]>(async (context, workspaceId) => {
        if (context.settings.token) {
          const { items } = unwrap(await context.client.GET('/workspaces'));
          if (!items.some((item) => item.workspaceId === workspaceId)) {
            throw new UsageError(
              `you do not belong to a workspace ${workspaceId} (cairn workspaces ls lists yours)`,
            );
          }
        }
        await useWorkspace(context, workspaceId);
        context.out.result({ workspace: workspaceId }, () =>
          context.out.line(`Using workspace ${workspaceId}.`),
        );
      }),
    );

  const keys = program.command('keys').description("the workspace's API keys (admin)");
  keys
    .command('create <name>')
    .description('create an API key; it is shown this once')
    .option('--role <role>', `${KEY_ROLES.join(' | ')}`, 'viewer')
    .action(
      action<[string, { role: string }]>(async (context, name, options) => {
        if (!KEY_ROLES.includes(options.role)) {
          throw new UsageError(`--role must be one of ${KEY_ROLES.join(', ')}`);
        }
        const workspaceId = workspaceOf(context);
        const created = unwrap(
          await context.client.POST('/workspaces/{workspaceId}/api-keys', {
            params: { path: { workspaceId } },
            body: { name, role: options.role as 'viewer' },
          }),
        );
        context.out.result(created, () => {
          context.out.line(`Created API key ${created.id} (${created.name}, ${created.role}):`);
          context.out.line(created.key);
          context.out.note('It is shown this once: store it now.');
        });
      }),
    );
  keys
    .command('ls')
    .description('list the keys (without their secrets)')
    .action(
      action<[]>(async (context) => {
        const workspaceId = workspaceOf(context);
        const { items } = unwrap(
          await context.client.GET('/workspaces/{workspaceId}/api-keys', {
            params: { path: { workspaceId } },
          }),
        );
        context.out.result(items, () =>
          context.out.table(
            ['id', 'name', 'role', 'created', 'last used', 'revoked'],
            items.map((key) => [
              key.id,
              key.name,
              key.role,
              when(key.createdAt),
              when(key.lastUsedAt),
              when(key.revokedAt),
            ]),
          ),
        );
      }),
    );
  keys
    .command('revoke <keyId>')
    .description('revoke a key; it fails at once')
    .action(
      action<[string]>(async (context, keyId) => {
        const workspaceId = workspaceOf(context);
        unwrap(
          await context.client.DELETE('/workspaces/{workspaceId}/api-keys/{keyId}', {
            params: { path: { workspaceId, keyId } },
          }),
        );
        context.out.result({ revoked: keyId }, () => context.out.line(`Revoked ${keyId}.`));
      }),
    );

  const members = program.command('members').description("the workspace's members (admin)");
  members
    .command('ls')
    .description('list members with their roles')
    .action(
      action<[]>(async (context) => {
        const workspaceId = workspaceOf(context);
        const { items } = unwrap(
          await context.client.GET('/workspaces/{workspaceId}/members', {
            params: { path: { workspaceId } },
          }),
        );
        context.out.result(items, () =>
          context.out.table(
            ['user', 'email', 'role', 'since'],
            items.map((member) => [
              member.userId,
              member.email,
              member.role,
              when(member.createdAt),
            ]),
          ),
        );
      }),
    );
  members
    .command('add <email>')
    .description('add (or invite) a person by e-mail')
    .option('--role <role>', ROLES.join(' | '), 'viewer')
    .action(
      action<[string, { role: string }]>(async (context, email, options) => {
        if (!ROLES.includes(options.role))
          throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const workspaceId = workspaceOf(context);
        const added = unwrap(
          await context.client.POST('/workspaces/{workspaceId}/members', {
            params: { path: { workspaceId } },
            body: { email, role: options.role as 'viewer' },
          }),
        ) as unknown as Record<string, unknown>;
        context.out.result(added, () =>
          context.out.line(
            added.status === 'pending'
              ? `Invited ${email} as ${options.role}; they join once they accept.`
              : `Added ${email} as ${options.role}.`,
          ),
        );
      }),
    );
  members
    .command('set-role <userId> <role>')
    .description("change a member's role")
    .action(
      action<[string, string]>(async (context, userId, role) => {
        if (!ROLES.includes(role)) throw new UsageError(`role must be one of ${ROLES.join(', ')}`);
        const workspaceId = workspaceOf(context);
        const changed = unwrap(
          await context.client.PATCH('/workspaces/{workspaceId}/members/{userId}', {
            params: { path: { workspaceId, userId } },
            body: { role: role as 'viewer' },
          }),
        );
        context.out.result(changed, () => context.out.line(`${userId} is now ${role}.`));
      }),
    );
  members
    .command('rm <userId>')
    .description('remove a member')
    .action(
      action<[string]>(async (context, userId) => {
        const workspaceId = workspaceOf(context);
        unwrap(
          await context.client.DELETE('/workspaces/{workspaceId}/members/{userId}', {
            params: { path: { workspaceId, userId } },
          }),
        );
        context.out.result({ removed: userId }, () => context.out.line(`Removed ${userId}.`));
      }),
    );

  program
    .command('audit')
    .description("the workspace's audit log, newest first (admin)")
    .option('--limit <n>', 'entries', '50')
    .option('--before <id>', 'entries older than this id (the cursor a previous page printed)')
    .action(
      action<[{ limit: string; before?: string }]>(async (context, options) => {
        context.requireWorkspace();
        const page = unwrap(
          await context.client.GET('/audit', {
            params: {
              query: {
                limit: Number(options.limit),
                ...(options.before ? { before: Number(options.before) } : {}),
              },
            },
          }),
        );
        context.out.result(page, () => {
          context.out.table(
            ['id', 'at', 'action', 'target', 'by', 'request'],
            page.items.map((entry) => [
              entry.id,
              when(entry.at),
              entry.action,
              `${entry.targetType}${entry.targetId ? ` ${entry.targetId}` : ''}`,
              entry.actor.apiKeyId ? `key ${entry.actor.apiKeyId}` : (entry.actor.userId ?? ''),
              entry.requestId,
            ]),
          );
          if (page.nextBefore !== null)
            context.out.note(`older: cairn audit --before ${page.nextBefore}`);
        });
      }),
    );
}
