// Extra API processes for tests that need a differently configured API beside the one npm test
// starts (other auth settings, small rate limits, an unreachable dependency). They run the built
// dist/ against the same engines, on a free port, and are stopped by the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ApiProcess {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node dist/src/main.js` with the stack's environment plus `env`; waits for /health
 * (60 s unless `healthyWithinMs` says more: a busy machine boots it slowly).
 */
export async function startApiProcess(
  env: Record<string, string>,
  healthyWithinMs = 60_000,
): Promise<ApiProcess> {
  const port = await freePort();
  const root = join(__dirname, '..', '..');
  const child: ChildProcess = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, CAIRN_API_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on(
    'data',
    (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)),
  );
  child.stderr?.on(
    'data',
    (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)),
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + healthyWithinMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API process exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(
    `API process did not become healthy within ${healthyWithinMs / 1000} s:\n${output}`,
  );
}
