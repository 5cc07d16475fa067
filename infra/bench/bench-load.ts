/**
 * Load: many users uploading and searching at once, faster than the API lets them.
 *
 *   npm run bench:load -- [--api http://127.0.0.1:3000] [--duration 300] [--users 20]
 *                         [--factor 2] [--start]
 *
 * Each user (a user of their own, owner of a workspace of their own, calling from a loopback
 * address of their own so that the per-IP budget is theirs as it would be on the internet)
 * uploads small documents and searches at `--factor` times the API's rate limits for
 * `--duration` seconds. The limits are read from the same settings the API reads
 * (CAIRN_RATE_LIMIT_{UPLOAD,SEARCH}_{BURST,PER_MINUTE}, else the API's defaults); pass the
 * API's own if it was started with others.
 *
 * First an idle run: searches one at a time while nothing else happens, for the baseline p95.
 * After the load, every accepted (202) upload is followed until it is indexed or failed.
 * Prints counts per status code, p50/p95/p99 latency per route, uploads accepted vs indexed,
 * and, last, one machine-readable line:
 *
 *   load: requests=N 5xx=N lost=N search_p95_ms=X idle_search_p95_ms=Y
 *
 * (5xx counts answers of 500–599 other than 503 — a 503 is the API saying "busy or a store is
 * down, retry", which the targets allow — and requests that got no answer at all; lost counts
 * accepted uploads that did not end indexed.) Targets: only 2xx, 429 and 503; lost=0; search_p95_ms at
 * most 3 × idle_search_p95_ms.
 *
 * --start runs an API and workers of its own (the built dist/, `npm run build` first) on free
 * ports against the stack's engines, in a Temporal namespace of its own (cairn-load), with the
 * rate limits given by --upload-per-minute, --upload-burst, --search-per-minute, --search-burst
 * (defaults: 4, 2, 30, 5 — small enough that a 2-core machine can index what 20 users upload),
 * and stops them at the end.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import '../../test/support/load-stack-env';
import { freePort } from '../../test/support/api-process';
import { tokenFor, userWithEmail } from '../../test/support/auth';

const ROOT = resolve(__dirname, '../..');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] && !process.argv[at + 1].startsWith('--')
    ? process.argv[at + 1]
    : fallback;
}
const has = (name: string): boolean => process.argv.includes(`--${name}`);

const percentile = (values: number[], fraction: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
};
const round = (value: number): number => Math.round(value * 10) / 10;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Limits {
  uploadBurst: number;
  uploadPerMinute: number;
  searchBurst: number;
  searchPerMinute: number;
}

interface Sample {
  route: string;
  /** 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  ms: number;
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One bench user: a user id, a token, a workspace and a loopback address of their own. */
interface LoadUser {
  index: number;
  token: string;
  workspaceId: string;
  agent: Agent;
}

const TOPICS = [
  ['Ada Lovelace', 'London', 'the Analytical Engine', 'Charles Babbage'],
  ['Marie Curie', 'Warsaw', 'radium', 'Pierre Curie'],
  ['Alan Turing', 'Manchester', 'the Turing machine', 'Bletchley Park'],
  ['Grace Hopper', 'New York', 'COBOL', 'the Harvard Mark I'],
  ['Nikola Tesla', 'Smiljan', 'alternating current', 'Westinghouse'],
  ['Rosalind Franklin', 'London', 'DNA', "King's College"],
  ['Emmy Noether', 'Erlangen', 'abstract algebra', 'Göttingen'],
  ['Hedy Lamarr', 'Vienna', 'frequency hopping', 'George Antheil'],
] as const;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** A short, never-seen document (new bytes, so every accepted upload really is processed). */
function documentText(): { title: string; text: string } {
  const [person, place, work, partner] = pick(TOPICS);
  const token = randomUUID().slice(0, 8);
  return {
    title: `${person} ${token}`,
    text:
      `${person} was born in ${place}. ${person} is known for ${work} (note ${token}). ` +
      `${person} worked with ${partner} for many years, and ${partner} admired ${work}. ` +
      `Later ${person} lectured about ${work} in ${place}.\n`,
  };
}

/** A question a user might ask; the tail word varies so that answers are rarely cached. */
function question(): string {
  const [person, place, work, partner] = pick(TOPICS);
  const forms = [
    `Who worked with ${person}?`,
    `Where was the person known for ${work} born?`,
    `${partner} and ${place}`,
    `What is ${person} known for`,
  ];
  return `${pick(forms)} ${pick(['today', 'history', 'notes', 'letters', 'work', 'life', 'years'])}`;
}

function call(
  api: string,
  user: LoadUser,
  method: string,
  path: string,
  body?: { contentType: string; data: Buffer },
  timeoutMs = 60_000,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((done) => {
    const request = httpRequest(
      `${api}${path}`,
      {
        method,
        agent: user.agent,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${user.token}`,
          'x-workspace-id': user.workspaceId,
          ...(body
            ? { 'content-type': body.contentType, 'content-length': String(body.data.length) }
            : {}),
        },
      },
      (response: IncomingMessage) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () =>
          done({
            status: response.statusCode ?? 0,
            body: Buffer.concat(parts).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        response.on('error', () => done({ status: 0, body: '', ms: performance.now() - started }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) =>
      done({ status: 0, body: String(error), ms: performance.now() - started }),
    );
    request.end(body?.data);
  });
}

function multipart(fileName: string, text: string): { contentType: string; data: Buffer } {
  const boundary = `----cairn-load-${randomUUID()}`;
  const data = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        'Content-Type: text/plain\r\n\r\n',
    ),
    Buffer.from(text, 'utf8'),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, data };
}

const json = (value: unknown) => ({
  contentType: 'application/json',
  data: Buffer.from(JSON.stringify(value)),
});

async function upload(api: string, user: LoadUser): Promise<Answer & { id?: string }> {
  const { title, text } = documentText();
  const answer = await call(
    api,
    user,
    'POST',
    '/documents',
    multipart(`${title.replace(/\s+/g, '-')}.txt`, text),
  );
  if (answer.status !== 202) return answer;
  return { ...answer, id: (JSON.parse(answer.body) as { id: string }).id };
}

const search = (api: string, user: LoadUser): Promise<Answer> =>
  call(api, user, 'POST', '/search', json({ query: question(), limit: 10 }));

async function prepareUsers(api: string, count: number, bindAddresses: boolean) {
  const users: LoadUser[] = [];
  for (let index = 0; index < count; index++) {
    const number = String(index + 1).padStart(2, '0');
    const person = userWithEmail(`load-${number}@cairn.local`);
    const token = await tokenFor(person, { expiresIn: 6 * 3600 });
    const workspaceId = `bench-load-${number}`;
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      // 127.0.0.0/8 is all loopback on Linux: each user calls from an address of their own.
      ...(bindAddresses ? { localAddress: `127.0.0.${100 + index}` } : {}),
    });
    const user: LoadUser = { index, token, workspaceId, agent };
    const created = await call(
      api,
      { ...user, workspaceId: '' },
      'POST',
      '/workspaces',
      json({ id: workspaceId, name: `Load test ${number}` }),
    );
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`workspace ${workspaceId}: ${created.status} ${created.body}`);
    }
    users.push(user);
  }
  return users;
}

type Settled = 'indexed' | 'failed' | 'missing' | 'pending';

/** Follows accepted uploads until each is indexed or failed, or the time is up. */
async function settle(
  api: string,
  accepted: { user: LoadUser; id: string }[],
  timeoutMs: number,
): Promise<Map<string, Settled>> {
  const states = new Map<string, Settled>(accepted.map(({ id }) => [id, 'pending']));
  const deadline = Date.now() + timeoutMs;
  let waiting = accepted;
  while (waiting.length > 0 && Date.now() < deadline) {
    const next: typeof waiting = [];
    // A few at a time: following must not become a load of its own.
    for (let start = 0; start < waiting.length; start += 20) {
      await Promise.all(
        waiting.slice(start, start + 20).map(async (entry) => {
          const answer = await call(api, entry.user, 'GET', `/documents/${entry.id}`);
          if (answer.status === 404) return void states.set(entry.id, 'missing');
          if (answer.status !== 200) return void next.push(entry);
          const { status } = JSON.parse(answer.body) as { status: string };
          if (status === 'indexed' || status === 'failed') states.set(entry.id, status);
          else next.push(entry);
        }),
      );
    }
    waiting = next;
    if (waiting.length > 0) {
      process.stdout.write(`\r  waiting for ${waiting.length} accepted uploads to settle   `);
      await sleep(2_000);
    }
  }
  process.stdout.write('\n');
  return states;
}

/** Runs `action` every `intervalMs` until `until`, at most `maxInFlight` at once. */
async function paced(
  intervalMs: number,
  until: number,
  maxInFlight: number,
  action: () => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  // Users do not start in lockstep.
  let next = performance.now() + Math.random() * intervalMs;
  while (Date.now() < until) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    next += intervalMs;
    if (running.size >= maxInFlight) await Promise.race(running);
    const task = action().finally(() => running.delete(task));
    running.add(task);
  }
  await Promise.all(running);
}

interface OwnStack {
  api: string;
  limits: Limits;
  stop: () => Promise<void>;
}

/** An API and a worker process of the bench's own (see --start above). */
async function startOwnStack(): Promise<OwnStack> {
  const limits: Limits = {
    uploadPerMinute: Number(flag('upload-per-minute', '4')),
    uploadBurst: Number(flag('upload-burst', '2')),
    searchPerMinute: Number(flag('search-per-minute', '30')),
    searchBurst: Number(flag('search-burst', '5')),
  };
  const namespace = flag('namespace', 'cairn-load');
  const created = spawnSync(
    'bash',
    [join(ROOT, 'infra/stack.sh'), 'temporal-namespace', namespace],
    {
      stdio: 'inherit',
    },
  );
  if (created.status !== 0) throw new Error(`could not create the namespace ${namespace}`);
  const port = await freePort();
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    TEMPORAL_NAMESPACE: namespace,
    CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: String(limits.uploadPerMinute),
    CAIRN_RATE_LIMIT_UPLOAD_BURST: String(limits.uploadBurst),
    CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE: String(limits.searchPerMinute),
    CAIRN_RATE_LIMIT_SEARCH_BURST: String(limits.searchBurst),
  };
  const logDir = process.env.CAIRN_LOG_DIR ?? '/tmp';
  const processes: ChildProcess[] = [];
  const launch = (name: string, script: string, extra: Record<string, string>) => {
    const child = spawn(process.execPath, [join(ROOT, script)], {
      cwd: ROOT,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    const log = createWriteStream(join(logDir, `bench-load-${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    processes.push(child);
    console.log(
      `started ${name} (pid ${child.pid}, log ${join(logDir, `bench-load-${name}.log`)})`,
    );
  };
  launch('api', 'dist/src/main.js', { CAIRN_API_PORT: String(port) });
  launch('worker', 'dist/workers/main.js', { CAIRN_WORKER_METRICS_PORT: '0' });
  const stop = async () => {
    await Promise.all(
      processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  const api = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${api}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || processes.some((child) => child.exitCode !== null)) {
      await stop();
      throw new Error(`the bench's own API did not become ready (logs in ${logDir})`);
    }
    await sleep(500);
  }
  return { api, limits, stop };
}

function configuredLimits(): Limits {
  const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  return {
    uploadBurst: setting('CAIRN_RATE_LIMIT_UPLOAD_BURST', 30),
    uploadPerMinute: setting('CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE', 120),
    searchBurst: setting('CAIRN_RATE_LIMIT_SEARCH_BURST', 60),
    searchPerMinute: setting('CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE', 600),
  };
}

function printLatencies(title: string, samples: Sample[]): void {
  const routes = [...new Set(samples.map((sample) => sample.route))].sort();
  console.log(title);
  for (const route of routes) {
    const ofRoute = samples.filter((sample) => sample.route === route);
    const byStatus = new Map<number, number[]>();
    for (const sample of ofRoute) {
      byStatus.set(sample.status, [...(byStatus.get(sample.status) ?? []), sample.ms]);
    }
    for (const [status, values] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
      console.log(
        `  ${route.padEnd(16)} ${String(status || 'no answer').padEnd(9)} n=${String(values.length).padEnd(6)} ` +
          `p50=${round(percentile(values, 0.5))} p95=${round(percentile(values, 0.95))} p99=${round(percentile(values, 0.99))} ms`,
      );
    }
  }
}

async function main(): Promise<void> {
  const durationS = Number(flag('duration', '300'));
  const userCount = Number(flag('users', '20'));
  const factor = Number(flag('factor', '2'));
  const idleSearches = Number(flag('idle-searches', '60'));
  const settleTimeoutS = Number(flag('settle-timeout', '900'));

  let api = flag(
    'api',
    `http://${process.env.CAIRN_API_HOST ?? '127.0.0.1'}:${process.env.CAIRN_API_PORT ?? 3000}`,
  ).replace(/\/+$/, '');
  let limits = configuredLimits();
  let own: OwnStack | undefined;
  if (has('start')) {
    own = await startOwnStack();
    api = own.api;
    limits = own.limits;
  }
  const stopOwn = async () => {
    await own?.stop();
    own = undefined;
  };
  process.once('SIGINT', () => void stopOwn().then(() => process.exit(130)));

  try {
    const loopback = ['127.0.0.1', 'localhost'].includes(new URL(api).hostname);
    const users = await prepareUsers(api, userCount, loopback && !has('one-address'));
    console.log(
      `${userCount} users against ${api}, ${durationS} s at ${factor}× the limits ` +
        `(uploads ${limits.uploadPerMinute}/min burst ${limits.uploadBurst}, searches ${limits.searchPerMinute}/min burst ${limits.searchBurst}, per user and per IP)`,
    );

    // Something to find: two documents per user, indexed before anything is measured.
    const seeds: { user: LoadUser; id: string }[] = [];
    for (const user of users) {
      for (let copy = 0; copy < 2; copy++) {
        const answer = await upload(api, user);
        if (!answer.id) throw new Error(`seed upload: ${answer.status} ${answer.body}`);
        seeds.push({ user, id: answer.id });
      }
    }
    const seeded = await settle(api, seeds, 300_000);
    const notIndexed = [...seeded.values()].filter((state) => state !== 'indexed').length;
    if (notIndexed > 0) throw new Error(`${notIndexed} seed documents were not indexed`);
    // The rate budgets refill before the idle run (the seeds drew from them).
    await sleep((60_000 / limits.uploadPerMinute) * Math.min(limits.uploadBurst, 2));

    // Idle: one search at a time, nothing else running.
    const idle: number[] = [];
    for (let count = 0; count < idleSearches; count++) {
      const answer = await search(api, users[count % users.length]);
      if (answer.status === 200) idle.push(answer.ms);
      else if (answer.status === 429) await sleep(1_000);
      else throw new Error(`idle search: ${answer.status} ${answer.body}`);
    }
    const idleP95 = percentile(idle, 0.95);
    console.log(
      `idle: ${idle.length} searches, p50=${round(percentile(idle, 0.5))} p95=${round(idleP95)} ms`,
    );

    // Load.
    const samples: Sample[] = [];
    const accepted: { user: LoadUser; id: string }[] = [];
    const until = Date.now() + durationS * 1000;
    const uploadEveryMs = 60_000 / (limits.uploadPerMinute * factor);
    const searchEveryMs = 60_000 / (limits.searchPerMinute * factor);
    const progress = setInterval(() => {
      const left = Math.max(0, Math.round((until - Date.now()) / 1000));
      process.stdout.write(
        `\r  ${samples.length} requests, ${accepted.length} uploads accepted, ${left} s left   `,
      );
    }, 5_000);
    await Promise.all(
      users.flatMap((user) => [
        paced(uploadEveryMs, until, 8, async () => {
          const answer = await upload(api, user);
          samples.push({ route: 'POST /documents', status: answer.status, ms: answer.ms });
          if (answer.id) accepted.push({ user, id: answer.id });
        }),
        paced(searchEveryMs, until, 8, async () => {
          const answer = await search(api, user);
          samples.push({ route: 'POST /search', status: answer.status, ms: answer.ms });
        }),
      ]),
    );
    clearInterval(progress);
    process.stdout.write('\n');

    const statuses = new Map<number, number>();
    for (const { status } of samples) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    console.log(
      `status codes: ${[...statuses.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([status, count]) => `${status || 'no answer'}: ${count}`)
        .join(', ')}`,
    );
    printLatencies('latency by route and status:', samples);

    const states = await settle(api, accepted, settleTimeoutS * 1000);
    const tally = (state: Settled) =>
      [...states.values()].filter((value) => value === state).length;
    const indexed = tally('indexed');
    console.log(
      `uploads: ${accepted.length} accepted, ${indexed} indexed, ${tally('failed')} failed, ` +
        `${tally('missing')} missing, ${tally('pending')} still pending after ${settleTimeoutS} s`,
    );

    const serverErrors = samples.filter(
      (sample) => sample.status === 0 || (sample.status >= 500 && sample.status !== 503),
    );
    const unexpected = samples.filter(
      (sample) =>
        sample.status !== 0 &&
        !(sample.status >= 200 && sample.status < 300) &&
        sample.status !== 429 &&
        sample.status !== 503,
    );
    if (unexpected.length > 0) {
      console.log(`answers other than 2xx, 429, 503: ${unexpected.length}`);
    }
    const searchP95 = percentile(
      samples
        .filter((sample) => sample.route === 'POST /search' && sample.status === 200)
        .map((s) => s.ms),
      0.95,
    );
    console.log(
      `load: requests=${samples.length} 5xx=${serverErrors.length} lost=${accepted.length - indexed} ` +
        `search_p95_ms=${round(searchP95)} idle_search_p95_ms=${round(idleP95)}`,
    );
  } finally {
    await stopOwn();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
