import { execFile, type ExecFileException } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiUrl } from '../support/api';

// The `cairn` command as a user runs it: `node bin/cairn.js …` on the build npm test made, with
// its own config folder (XDG_CONFIG_HOME), against the running API and workers.

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(8 * INDEX_TIMEOUT_MS);

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/cairn.js');
const run = randomBytes(4).toString('hex');
const workspace = `cli-${run}`;
let home: string;
let work: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with pipes for stdout and stderr (no terminal), as a script would. */
function cairn(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: work,
        env: { ...process.env, XDG_CONFIG_HOME: home, CAIRN_API_URL: apiUrl, ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error: ExecFileException | null, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the CLI under a pseudo-terminal (util-linux `script`), as a person at a terminal does. */
function cairnInTerminal(args: string[]): Promise<Result> {
  const command = [process.execPath, bin, ...args]
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: home,
      CAIRN_API_URL: apiUrl,
      TERM: 'xterm-256color',
      COLUMNS: '120',
    };
    delete env.NO_COLOR;
    delete env.CI;
    execFile(
      'script',
      ['-qfec', command, '/dev/null'],
      { cwd: work, env },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const json = <T>(result: Result): T => {
  if (result.code !== 0) throw new Error(`cairn exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
};

// cli-progress draws bars with these block characters.
const BAR = /[\u2588\u2591]{4,}/;

const passage = (topic: string) =>
  `Field note ${topic} ${run}. The cartographer Ilsabet Norquay surveyed the ${topic} valley near Tromsvik and recorded its glaciers in a ledger kept at the Tromsvik Museum.`;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cairn-cli-home-'));
  work = await mkdtemp(join(tmpdir(), 'cairn-cli-work-'));
  await mkdir(join(work, 'notes'));
  for (const topic of ['alder', 'birch', 'cedar', 'dogwood', 'elm']) {
    await writeFile(join(work, 'notes', `${topic}.md`), `# ${topic}\n\n${passage(topic)}\n`);
  }
  await writeFile(join(work, 'empty.txt'), '');
  const lines = Array.from({ length: 50 }, (_, index) =>
    JSON.stringify({
      title: `Ledger entry ${index} ${run}`,
      text: `Ledger entry ${index} of run ${run}: the surveyor logged ${index + 3} cairns along the ridge of Kvalvika.`,
    }),
  );
  await writeFile(join(work, 'ledger.jsonl'), `${lines.join('\n')}\n`);
  await mkdir(join(work, 'archive', 'nested'), { recursive: true });
  for (const [index, name] of ['one.md', 'two.txt', 'nested/three.md'].entries()) {
    await writeFile(
      join(work, 'archive', name),
      `Archive page ${index} ${run}: ${passage(`fir-${index}`)}\n`,
    );
  }
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('cairn CLI', () => {
  const documentIds: string[] = [];

  it('signs in with an e-mail on the local stack and stores the profile 0600', async () => {
    const login = await cairn(['login', '--email', `cli-${run}@cairn.test`]);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`as cli-${run}@cairn.test`);
    const config = join(home, 'cairn', 'config.json');
    expect((await stat(config)).mode & 0o777).toBe(0o600);

    const who = json<{ email: string; via: string; workspace: string | null }>(
      await cairn(['whoami', '--json']),
    );
    expect(who).toMatchObject({ email: `cli-${run}@cairn.test`, via: 'token', workspace: null });
  });

  it('creates a workspace and acts in it from then on', async () => {
    const created = await cairn(['workspaces', 'create', `CLI ${run}`, '--id', workspace]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created workspace ${workspace}`);
    const list = json<{ workspaceId: string; role: string }[]>(
      await cairn(['workspaces', 'ls', '--json']),
    );
    expect(list).toEqual([expect.objectContaining({ workspaceId: workspace, role: 'owner' })]);
    const who = json<{ workspace: string; role: string }>(await cairn(['whoami', '--json']));
    expect(who).toMatchObject({ workspace, role: 'owner' });
  });

  it('uploads a folder of 5 files with --wait: all indexed, a summary table, no bars in a pipe', async () => {
    const result = await cairn(['upload', 'notes', '--wait', '--concurrency', '3']);
    expect(result.stderr).not.toMatch(BAR);
    expect(result.stdout).not.toMatch(BAR);
    expect(result.code).toBe(0);
    // Plain progress lines on stderr, one per change of state, and the table on stdout.
    expect(result.stderr).toMatch(/notes\/alder\.md: indexed [0-9a-f-]{36} in /);
    expect(result.stdout).toMatch(/^file\s+document\s+status/m);
    expect(result.stdout).toContain('5 file(s): 5 indexed, 0 failed');

    // The same upload again is the same documents, already indexed; --json prints data only.
    const again = json<{ file: string; documentId: string; status: string }[]>(
      await cairn(['upload', 'notes', '--wait', '--json']),
    );
    expect(again.map((row) => row.status)).toEqual(Array(5).fill('indexed'));
    expect(again.map((row) => row.file).sort()).toEqual(
      ['alder', 'birch', 'cedar', 'dogwood', 'elm'].map((topic) => `notes/${topic}.md`),
    );
    documentIds.push(...again.map((row) => row.documentId));
    const docs = json<{ items: { id: string; status: string }[] }>(
      await cairn(['docs', 'ls', '--json']),
    );
    expect(docs.items.map((doc) => doc.id).sort()).toEqual([...documentIds].sort());
  });

  it('search --json finds an uploaded passage, with score parts', async () => {
    const result = json<{ hits: { documentId: string; text: string; scoreParts: object }[] }>(
      await cairn([
        'search',
        `cartographer surveyed the cedar valley ${run}`,
        '--json',
        '--limit',
        '3',
      ]),
    );
    expect(result.hits.length).toBeGreaterThan(0);
    expect(result.hits[0].text).toContain(`cedar valley near Tromsvik`);
    expect(documentIds).toContain(result.hits[0].documentId);
    expect(result.hits[0].scoreParts).toEqual(
      expect.objectContaining({
        vector: expect.any(Number),
        keyword: expect.any(Number),
        graph: expect.any(Number),
      }),
    );

    const human = await cairn(['search', `cedar valley ${run}`, '--limit', '1']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^1\. cedar/m);
    expect(human.stdout).toMatch(
      /score [0-9.]+ = vector [0-9.]+ \+ keyword [0-9.]+ \+ graph [0-9.]+/,
    );
    // The search's trace (X-Trace-Url: the console's trace view on the local stack).
    const traceBase = process.env.CAIRN_JAEGER_UI_URL ?? '';
    expect(traceBase).not.toBe('');
    expect(human.stdout).toContain(`trace ${traceBase}/trace/`);
    expect(human.stdout).toMatch(/trace \S+\/trace\/[0-9a-f]{32}$/m);
  });

  it('imports a 50-line JSONL with one progress line, all done', async () => {
    const result = await cairn(['import', 'ledger.jsonl']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Import [0-9a-f-]{36}: completed, 50 done, 0 failed of 50/);
    expect(result.stderr).toMatch(/50\/50, 50 done, 0 failed/);
    expect(result.stderr).not.toMatch(BAR);
    const imports = json<{ items: { status: string; total: number; done: number }[] }>(
      await cairn(['imports', 'ls', '--json']),
    );
    expect(imports.items[0]).toMatchObject({ status: 'completed', total: 50, done: 50 });
  });

  it('imports a folder, packed into a tar while it is sent', async () => {
    const result = await cairn(['import', 'archive', '--json']);
    expect(result.stderr).toBe('');
    const last = json<{ status: string; total: number; done: number; failed: number }>(result);
    expect(last).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0 });
    const imports = json<{ items: { source: string }[] }>(await cairn(['imports', 'ls', '--json']));
    expect(imports.items[0].source).toBe('tar:archive.tar');
  });

  it('bootstraps a domain to review and approves it from the command line', async () => {
    const created = json<{ id: string; status: string }>(
      await cairn([
        'domains',
        'create',
        `Surveys ${run}`,
        '--seed',
        documentIds[0],
        '--seed',
        documentIds[1],
        '--mode',
        'review',
        '--wait',
        '--json',
      ]),
    );
    expect(created.status).toBe('awaiting_review');

    const approved = await cairn(['domains', 'review', created.id, 'approve']);
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    let status = '';
    while (Date.now() < deadline) {
      status = json<{ status: string }>(
        await cairn(['domains', 'show', created.id, '--json']),
      ).status;
      if (status === 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe('active');

    // A second decision is refused by the API: one readable line with its message and request id.
    const twice = await cairn(['domains', 'review', created.id, 'approve']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^cairn: .+ \[HTTP 409\] \(request [\w-]+\)\n$/);
  });

  it('a failing upload (an empty file) exits 1 and names the file', async () => {
    const result = await cairn(['upload', 'empty.txt', join('notes', 'alder.md'), '--wait']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cairn: empty\.txt: .*empty.*\[HTTP 4\d\d\]/i);
    expect(result.stdout).toMatch(/^empty\.txt\s+failed/m);
    expect(result.stdout).toContain('2 file(s): 1 indexed, 1 failed');
  });

  it('draws progress bars under a terminal, and not in a pipe', async () => {
    await writeFile(join(work, 'terminal.md'), `# Terminal\n\n${passage('juniper')}\n`);
    const terminal = await cairnInTerminal(['upload', 'terminal.md', '--wait']);
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toMatch(BAR);
    expect(terminal.stdout).toContain('1 file(s): 1 indexed, 0 failed');

    const piped = await cairn(['upload', 'terminal.md', '--wait']);
    expect(piped.code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toMatch(BAR);
    expect(piped.stdout + piped.stderr).not.toContain('\u001b[');
  });

  it('says what is wrong in one line: no credentials, an unknown document', async () => {
    const signedOut = await cairn(['docs', 'ls'], { XDG_CONFIG_HOME: join(home, 'nobody') });
    expect(signedOut.code).toBe(1);
    expect(signedOut.stderr).toBe(
      'cairn: not signed in (profile default): run cairn login, or set CAIRN_TOKEN\n',
    );

    const missing = await cairn(['docs', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cairn: .*not found.* \[HTTP 404\] \(request [\w-]+\)\n$/i);
  });
});
