// Several API processes behind one port (CAIRN_API_PROCESSES, src/api-cluster.ts): the built API
// (dist/, built by infra/cairn.sh test before jest) is started with two processes on a port of its
// own. It serves, its /metrics sums both processes, a process that dies is replaced while the
// port keeps answering, and SIGTERM to the primary stops them all.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { get as httpGet } from 'node:http';
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

/**
 * One GET on a connection of its own: a pooled keep-alive socket could still point at a process
 * the test has just killed, and what is checked is that the port answers a new connection.
 */
function get(path: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const request = httpGet(
      { host: '127.0.0.1', port, path, agent: false, timeout: 10_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => done({ status: response.statusCode ?? 0, text }));
        response.on('error', fail);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', fail);
  });
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
    // The survivor answers at once; only a connection the primary handed to the victim in the
    // instant before it noticed the death may be reset, so a second try is allowed, no more.
    const answered = await get('/health').catch(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return get('/health');
    });
    expect(answered.status).toBe(200);
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
