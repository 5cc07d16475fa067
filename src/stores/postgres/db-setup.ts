import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../config/config';
import { PostgresStore } from './postgres.store';

/**
 * The step that prepares Postgres before the API and the workers start where they cannot do it
 * themselves (the k8s API Deployment's init container: `node dist/src/stores/postgres/db-setup.js`):
 *   1. with DATABASE_ADMIN_URL, runs infra/postgres/cairn-roles.sql as that administrator, the
 *      same script docker compose and the local stack run, with the passwords of the three URLs;
 *   2. applies the migrations as the owner (DATABASE_OWNER_URL) and ensures the default workspace.
 */

/** The role each URL must name (the script creates exactly these) and the setting its password goes in. */
export const DATABASE_ROLES = [
  { key: 'DATABASE_OWNER_URL', role: 'cairn', setting: 'cairn.owner_password' },
  { key: 'DATABASE_URL', role: 'cairn_app', setting: 'cairn.app_password' },
  { key: 'DATABASE_METRICS_URL', role: 'cairn_metrics', setting: 'cairn.metrics_password' },
] as const;

/** The roles script, found from here upwards (src/… under tsx, dist/src/… once compiled). */
export function rolesScriptPath(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'infra', 'postgres', 'cairn-roles.sql');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('infra/postgres/cairn-roles.sql not found');
  }
}

/** `-c setting=password …` for libpq's options; passwords are kept to URL-safe characters. */
export function rolePasswordOptions(env: NodeJS.ProcessEnv): string {
  const options: string[] = [];
  for (const { key, role, setting } of DATABASE_ROLES) {
    const value = env[key];
    if (!value) continue;
    const url = new URL(value);
    if (decodeURIComponent(url.username) !== role) {
      throw new Error(`${key} must name the role ${role} (infra/postgres/cairn-roles.sql)`);
    }
    const password = decodeURIComponent(url.password);
    if (!/^[A-Za-z0-9._~-]*$/.test(password)) {
      throw new Error(`${key}: keep the password to letters, digits and ._~-`);
    }
    if (password) options.push(`-c ${setting}=${password}`);
  }
  return options.join(' ');
}

export async function createRoles(adminUrl: string, env: NodeJS.ProcessEnv): Promise<void> {
  const client = new Client({ connectionString: adminUrl, options: rolePasswordOptions(env) });
  await client.connect();
  try {
    await client.query(readFileSync(rolesScriptPath(), 'utf8'));
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_ADMIN_URL;
  if (adminUrl) await createRoles(adminUrl, process.env);
  const config = loadConfig();
  const store = new PostgresStore(config);
  try {
    await store.migrate();
    await store.ensureWorkspace(config.CAIRN_DEFAULT_WORKSPACE, 'Default workspace');
  } finally {
    await store.onModuleDestroy();
  }
  console.log('postgres: roles, migrations and default workspace in place');
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`postgres setup failed: ${error.message}`);
    process.exit(1);
  });
}
