// Several API processes behind one port (CAIRN_API_PROCESSES, src/api-cluster.ts): the built API
// (dist/, built by infra/cairn.sh test before jest) is started with two processes on a port of its
// own. It serves, its /metrics sums both processes, a process that dies is replaced while the
// port keeps answering, and SIGTERM to the primary stops them all.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';

jest.setTimeout(300_000);

const root = resolve(__dirname, '../..');
const port = Number(process.env.CAIRN_TEST_API_PORT) + 5;
let primary: ChildProcess;

/** Pids of the primary's API processes. */
function apiProcesses(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(primary.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The value of an unlabelled metric in a scrape. */
function value(scrape: string, name: string): number {
  const line = scrape.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

beforeAll(async () => {
  const log = createWriteStream(join(process.env.CAIRN_LOG_DIR ?? root, 'api-cluster.log'));
  primary = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
    cwd: root,
    env: { ...process.env, CAIRN_API_PORT: String(port), CAIRN_API_PROCESSES: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  primary.stdout?.pipe(log);
  primary.stderr?.pipe(log);
  await until('the API processes', 180_000, async () => (await get('/health')).status === 200);
});

afterAll(async () => {
  if (primary.exitCode === null && primary.signalCode === null) primary.kill('SIGKILL');
});

describe('CAIRN_API_PROCESSES=2', () => {
  it('serves one port from two processes, with their metrics summed', async () => {
    await until('two API processes', 60_000, async () => apiProcesses().length === 2);
    await until('both processes ready', 120_000, async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => get('/health/ready')));
      return answers.every((answer) => answer.status === 200);
    });
    const scrape = await get('/metrics');
    expect(scrape.status).toBe(200);
    // Two Node.js processes: more resident memory than either could have alone, and two starts.
    const resident = value(scrape.text, 'process_resident_memory_bytes');
    const own = apiProcesses().map((pid) =>
      Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' })),
    );
    expect(resident).toBeGreaterThan(Math.max(...own) * 1024);
  });

  it('replaces a process that dies while the port keeps answering', async () => {
    const [victim, survivor] = apiProcesses();
    process.kill(victim, 'SIGKILL');
    expect((await get('/health')).status).toBe(200);
    await until('a replacement process', 120_000, async () => {
      const now = apiProcesses();
      return now.length === 2 && now.includes(survivor) && !now.includes(victim);
    });
  });

  it('stops every process on SIGTERM to the primary', async () => {
    const workers = apiProcesses();
    const exited = new Promise<number | null>((done) => primary.once('exit', (code) => done(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    const alive = workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
