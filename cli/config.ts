import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** One set of credentials for one API: what `cairn login` stores. */
export interface Profile {
  apiUrl: string;
  /** An access token (Bearer) or an API key (`ck_…`); never both. */
  token?: string;
  apiKey?: string;
  /** The workspace commands act in (an API key acts in its own and needs none). */
  workspace?: string;
  /** Who signed in, for `whoami` without a round trip. */
  email?: string;
}

export interface CliConfig {
  currentProfile: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
const EMPTY: CliConfig = { currentProfile: 'default', profiles: {} };

/** ~/.config/cairn/config.json, or under $XDG_CONFIG_HOME when it is set (tests use a temp dir). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config');
  return join(base, 'cairn', 'config.json');
}

export async function loadConfig(path = configPath()): Promise<CliConfig> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY);
    throw error;
  }
  let parsed: Partial<CliConfig>;
  try {
    parsed = JSON.parse(raw) as Partial<CliConfig>;
  } catch {
    throw new Error(`${path} is not valid JSON; fix or delete it and run cairn login again`);
  }
  return {
    currentProfile: parsed.currentProfile ?? 'default',
    profiles: parsed.profiles ?? {},
  };
}

/**
 * Writes the file readable by its owner only (it holds tokens and keys): a temporary file created
 * 0600 and renamed over the old one, so a reader never sees half a file.
 */
export async function saveConfig(config: CliConfig, path = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
  await chmod(path, 0o600);
}

/** What a command acts with: the profile, overridden by the environment and global flags. */
export interface Settings {
  profileName: string;
  apiUrl: string;
  token?: string;
  apiKey?: string;
  workspace?: string;
  email?: string;
}

export interface Overrides {
  profile?: string;
  api?: string;
  workspace?: string;
}

export function resolveSettings(
  config: CliConfig,
  overrides: Overrides = {},
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const profileName = overrides.profile ?? env.CAIRN_PROFILE ?? config.currentProfile;
  const profile: Partial<Profile> = config.profiles[profileName] ?? {};
  const envToken = env.CAIRN_TOKEN?.trim();
  // A token in the environment replaces the stored credential, whichever kind it was.
  const credential = envToken
    ? envToken.startsWith('ck_')
      ? { token: undefined, apiKey: envToken }
      : { token: envToken, apiKey: undefined }
    : { token: profile.token, apiKey: profile.apiKey };
  return {
    profileName,
    apiUrl: trimSlash(overrides.api ?? env.CAIRN_API_URL ?? profile.apiUrl ?? DEFAULT_API_URL),
    ...credential,
    workspace: overrides.workspace ?? (env.CAIRN_WORKSPACE?.trim() || profile.workspace),
    email: envToken ? undefined : profile.email,
  };
}

export const trimSlash = (url: string): string => url.replace(/\/+$/, '');
