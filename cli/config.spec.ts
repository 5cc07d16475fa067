import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, loadConfig, resolveSettings, saveConfig, type CliConfig } from './config';

describe('CLI profiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lives under XDG_CONFIG_HOME when set, else ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: dir })).toBe(join(dir, 'cairn', 'config.json'));
    expect(configPath({})).toMatch(/\.config[/\\]cairn[/\\]config\.json$/);
  });

  it('is written readable by its owner only, and read back', async () => {
    const path = configPath({ XDG_CONFIG_HOME: dir });
    const config: CliConfig = {
      currentProfile: 'work',
      profiles: { work: { apiUrl: 'http://api.test', token: 'secret', workspace: 'acme' } },
    };
    await saveConfig(config, path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadConfig(path)).toEqual(config);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(config);
  });

  it('starts empty when there is no file, and names a broken one', async () => {
    expect(await loadConfig(join(dir, 'none.json'))).toEqual({
      currentProfile: 'default',
      profiles: {},
    });
    const path = join(dir, 'broken.json');
    await saveConfig({ currentProfile: 'default', profiles: {} }, path);
    await import('node:fs/promises').then((fs) => fs.writeFile(path, '{nope'));
    await expect(loadConfig(path)).rejects.toThrow(`${path} is not valid JSON`);
  });

  const config: CliConfig = {
    currentProfile: 'default',
    profiles: {
      default: {
        apiUrl: 'http://profile.test/',
        token: 'profile-token',
        workspace: 'from-profile',
        email: 'a@b.c',
      },
      other: { apiUrl: 'http://other.test', apiKey: 'ck_other' },
    },
  };

  it('takes the profile, then the environment, then flags', () => {
    expect(resolveSettings(config, {}, {})).toEqual({
      profileName: 'default',
      apiUrl: 'http://profile.test',
      token: 'profile-token',
      apiKey: undefined,
      workspace: 'from-profile',
      email: 'a@b.c',
    });
    const env = {
      CAIRN_API_URL: 'http://env.test',
      CAIRN_TOKEN: 'env-token',
      CAIRN_WORKSPACE: 'from-env',
    };
    expect(resolveSettings(config, {}, env)).toMatchObject({
      apiUrl: 'http://env.test',
      token: 'env-token',
      apiKey: undefined,
      workspace: 'from-env',
    });
    expect(
      resolveSettings(config, { api: 'http://flag.test', workspace: 'from-flag' }, env),
    ).toMatchObject({
      apiUrl: 'http://flag.test',
      workspace: 'from-flag',
    });
  });

  it('treats a ck_ token in CAIRN_TOKEN as an API key, and picks profiles by name', () => {
    expect(resolveSettings(config, {}, { CAIRN_TOKEN: 'ck_abc_def' })).toMatchObject({
      token: undefined,
      apiKey: 'ck_abc_def',
    });
    expect(resolveSettings(config, { profile: 'other' }, {})).toMatchObject({
      profileName: 'other',
      apiKey: 'ck_other',
      token: undefined,
    });
    expect(resolveSettings(config, {}, { CAIRN_PROFILE: 'missing' })).toMatchObject({
      profileName: 'missing',
      apiUrl: 'http://127.0.0.1:3000',
      token: undefined,
    });
  });
});
