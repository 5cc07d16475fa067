/**
 * How Cairn's costs grow with a workspace (issue 31):
 *
 *   npm run bench:scale -- [--passages 100000] [--steps 2000,10000,50000,100000] [--start]
 *                          [--app-dir <checkout>] [--questions 100] [--keep] [--api <url>]
 *
 * The corpus: MuSiQue-100's passages, then the 6,119 real passages of wiki-6k, then SYNTHETIC
 * passages (scale-corpus.ts: real sentences with names, places and years substituted, entities
 * repeating with a Zipf skew) up to --passages. It imports them into a workspace of its own in
 * steps through POST /imports (JSONL), and after each step prints: ingest passages/s of the step,
 * CPU per passage by process and the workers' time per activity (where ingestion's time goes),
 * search p50/p95/qps for `auto` and `hybrid` at concurrency 1 and 8 next to a bare Weaviate hybrid
 * query on the same tenant, the graph-side share of `auto` searches (the API's timings), API and
 * worker RSS, Neo4j and Weaviate disk, freshness (a document uploaded while the step's import runs:
 * seconds from `indexed` until a graph-mode search finds it through a relation) and MuSiQue-100's
 * R@2/R@5 (`auto`) in the grown workspace. Its last line is machine-readable (`scale: ...`).
 *
 * --start runs an API and a worker of its own (built: `<app-dir>/dist`, default this checkout) on
 * free ports in the Temporal namespace cairn-scale, with rate limits out of the way, and measures
 * their CPU and RSS; otherwise it uses the API at --api / CAIRN_API_URL and reads the processes
 * from the stack's pid files (CAIRN_RUN_DIR), the worker's activity times from
 * --worker-metrics <url>. Without --keep it deletes the workspace's documents (DELETE /documents)
 * at the end. Prints figures; asserts nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, readdirSync, lstatSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import weaviate from 'weaviate-client';
import '../../test/support/load-stack-env';
import { Embedder } from '../../src/embedding/embedder';
import { passageMapper } from './bench-retrieval';
import {
  DEFAULT_DATASET_DIR,
  REPO_ROOT,
  benchHeaders,
  freshWorkspaceId,
  loadDataset,
  mapConcurrently,
  parseFlags,
  passageKey,
  useBenchWorkspace,
  type CorpusPassage,
} from './retrieval-dataset';
import { SyntheticCorpus, seededRandom } from './scale-corpus';
import { cpuSpent, stackCpuSeconds, totalSeconds, type CpuByProcess } from './stack-cpu';

const WIKI_DIR = resolve(REPO_ROOT, '..', 'shared', 'datasets', 'wiki-6k');
/** Entries per POST /imports: well under the API's limits; a step may send several in a row. */
const IMPORT_ENTRIES = 5_000;
const FINAL_IMPORT = new Set(['completed', 'completed_with_errors', 'failed']);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Latency {
  p50: number;
  p95: number;
  qps: number;
}

interface StepFigures {
  passages: number;
  ingestPerSecond: number;
  stepSeconds: number;
  cpuMsPerPassage: [string, number][];
  activitySecondsPerK: [string, number][];
  search: Map<string, Latency>;
  graphSide: { p50: number; p95: number };
  rss: Map<string, number>;
  disk: Map<string, number>;
  freshness: { indexedAfter: number; foundAfter: number | null; viaRelation: boolean } | null;
  /** complete: MuSiQue-100's whole corpus is in the workspace (earlier steps miss gold passages). */
  recall: { r2: number; r5: number; complete: boolean };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

async function measure(
  items: readonly string[],
  concurrency: number,
  work: (item: string) => Promise<void>,
): Promise<Latency> {
  const latencies: number[] = [];
  const started = performance.now();
  await mapConcurrently(items, concurrency, async (item) => {
    const begin = performance.now();
    await work(item);
    latencies.push(performance.now() - begin);
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    qps: items.length / seconds,
  };
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const server = createServer();
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => done(typeof address === 'object' && address ? address.port : 0));
      });
    });
    // The worker's Temporal SDK exporter listens on the next port: both must be free.
    const next = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (port > 0 && next) return port;
  }
}

/** Resident memory of a process and its descendants, in MB (Linux). */
function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // ended meanwhile
    }
  }
  let kilobytes = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    try {
      const status = readFileSync(`/proc/${current}/status`, 'utf8');
      kilobytes += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // ended meanwhile
    }
    pending.push(...(children.get(current) ?? []));
  }
  return kilobytes / 1024;
}

/** Bytes on disk under a folder (allocated blocks), 0 when it does not exist. */
function diskBytes(path: string): number {
  if (!existsSync(path)) return 0;
  let total = 0;
  const pending = [path];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      continue; // removed meanwhile (compaction)
    }
    total += stat.blocks * 512;
    if (stat.isDirectory()) {
      try {
        for (const entry of readdirSync(current)) pending.push(join(current, entry));
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}

/** Seconds per activity type from a worker's /metrics (cairn_stage_duration_seconds_sum). */
async function activitySeconds(url: string | undefined): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (url === undefined) return result;
  try {
    const text = await (await fetch(url)).text();
    for (const line of text.split('\n')) {
      const match = /^cairn_stage_duration_seconds_sum\{([^}]*)\} ([\d.e+-]+)$/.exec(line);
      if (!match) continue;
      const activity = /activity="([^"]+)"/.exec(match[1])?.[1] ?? '?';
      result.set(activity, (result.get(activity) ?? 0) + Number(match[2]));
    }
  } catch {
    // a worker without metrics: the figure is left out
  }
  return result;
}

interface OwnStack {
  api: string;
  apiPid: number;
  workerPid: number;
  workerMetrics: string;
  stop: () => Promise<void>;
}

async function startOwnStack(appDir: string): Promise<OwnStack> {
  const namespace = 'cairn-scale';
  const created = spawnSync(
    'bash',
    [join(REPO_ROOT, 'infra/stack.sh'), 'temporal-namespace', namespace],
    {
      stdio: 'inherit',
    },
  );
  if (created.status !== 0) throw new Error(`could not create the namespace ${namespace}`);
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    TEMPORAL_NAMESPACE: namespace,
    CAIRN_RATE_LIMIT_SEARCH_BURST: '100000',
    CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE: '1000000',
    CAIRN_RATE_LIMIT_UPLOAD_BURST: '100000',
    CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '1000000',
  };
  const logDir = process.env.CAIRN_LOG_DIR ?? '/tmp';
  const processes: ChildProcess[] = [];
  const launch = (name: string, script: string, extra: Record<string, string>) => {
    const child = spawn(process.execPath, [join(appDir, script)], {
      cwd: appDir,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(logDir, `bench-scale-${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    processes.push(child);
    console.log(
      `started ${name} (pid ${child.pid}, log ${join(logDir, `bench-scale-${name}.log`)})`,
    );
    return child.pid!;
  };
  const apiPid = launch('api', 'dist/src/main.js', { CAIRN_API_PORT: String(apiPort) });
  const workerPid = launch('worker', 'dist/workers/main.js', {
    CAIRN_WORKER_METRICS_PORT: String(metricsPort),
  });
  const stop = async () => {
    await Promise.all(
      processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  const api = `http://127.0.0.1:${apiPort}`;
  const workerMetrics = `http://127.0.0.1:${metricsPort}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    const ready = await Promise.all([
      fetch(`${api}/health/ready`).then(
        (response) => response.ok,
        () => false,
      ),
      fetch(`${workerMetrics}/ready`).then(
        (response) => response.ok,
        () => false,
      ),
    ]);
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline || processes.some((child) => child.exitCode !== null)) {
      await stop();
      throw new Error(`the bench's own API or worker did not become ready (logs in ${logDir})`);
    }
    await sleep(1_000);
  }
  return { api, apiPid, workerPid, workerMetrics: `${workerMetrics}/metrics`, stop };
}

/** Imports passages through POST /imports (JSONL), one import after another; waits for each. */
async function importPassages(apiUrl: string, passages: CorpusPassage[]): Promise<number> {
  let failed = 0;
  for (let offset = 0; offset < passages.length; offset += IMPORT_ENTRIES) {
    const slice = passages.slice(offset, offset + IMPORT_ENTRIES);
    const response = await fetch(`${apiUrl}/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...benchHeaders() },
      body: slice.map((passage) => JSON.stringify(passage)).join('\n') + '\n',
    });
    if (response.status !== 202) {
      throw new Error(`POST /imports → ${response.status}: ${await response.text()}`);
    }
    const { id } = (await response.json()) as { id: string };
    let lastReport = Date.now();
    for (;;) {
      await sleep(2_000);
      const view = (await (
        await fetch(`${apiUrl}/imports/${id}`, { headers: benchHeaders() })
      ).json()) as { status: string; done: number; failed: number; total: number };
      if (FINAL_IMPORT.has(view.status)) {
        failed += view.failed;
        if (view.status !== 'completed') {
          console.log(`  import ${id}: ${view.status}, ${view.failed} failed`);
        }
        break;
      }
      if (Date.now() - lastReport > 60_000) {
        console.log(`  import ${id}: ${view.done + view.failed}/${view.total}`);
        lastReport = Date.now();
      }
    }
  }
  return failed;
}

/** Invented names no corpus has, different for every step and run. */
function freshNames(step: number): { person: string; town: string; guild: string } {
  const random = seededRandom((Date.now() % 1_000_000_007) ^ (step * 7919));
  const syllables = ['vel', 'dra', 'quin', 'tor', 'mar', 'zeb', 'ulo', 'kas', 'rin', 'oph', 'ast'];
  const word = (parts: number) => {
    let text = '';
    for (let index = 0; index < parts; index += 1) {
      text += syllables[Math.floor(random() * syllables.length)];
    }
    return text[0].toUpperCase() + text.slice(1);
  };
  return { person: `${word(2)} ${word(3)}`, town: word(3), guild: `${word(3)} Guild` };
}

/**
 * Uploads one document while an import runs, waits until it is indexed, then asks a graph-mode
 * search naming only the guild until a hit of that document comes with a path through a relation.
 */
async function measureFreshness(apiUrl: string, step: number): Promise<StepFigures['freshness']> {
  const { person, town, guild } = freshNames(step);
  const uploadedAt = performance.now();
  const upload = await fetch(`${apiUrl}/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...benchHeaders() },
    body: JSON.stringify({
      title: `${person} and the ${guild}`,
      text: `${person} founded the ${guild} in ${town} in 1871. ${person} was born in ${town}. The ${guild} trained clockmakers in ${town} for forty years.`,
    }),
  });
  if (upload.status >= 300) throw new Error(`POST /documents → ${upload.status}`);
  const { id } = (await upload.json()) as { id: string };
  let indexedAt: number | undefined;
  while (performance.now() - uploadedAt < 1_800_000) {
    const view = (await (
      await fetch(`${apiUrl}/documents/${id}`, { headers: benchHeaders() })
    ).json()) as { status: string };
    if (view.status === 'indexed') {
      indexedAt = performance.now();
      break;
    }
    if (view.status === 'failed') throw new Error(`the freshness document ${id} failed`);
    await sleep(100);
  }
  if (indexedAt === undefined) return null;
  const query = `Who founded the ${guild}?`;
  let sawHit = false;
  while (performance.now() - indexedAt < 120_000) {
    const response = await fetch(`${apiUrl}/search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-cache',
        ...benchHeaders(),
      },
      body: JSON.stringify({ query, mode: 'graph', limit: 10 }),
    });
    if (response.status === 200) {
      const body = (await response.json()) as {
        hits: { documentId: string; paths: { relations: unknown[] }[] }[];
      };
      const hit = body.hits.find((candidate) => candidate.documentId === id);
      if (hit) sawHit = true;
      if (hit?.paths.some((path) => path.relations.length > 0)) {
        return {
          indexedAfter: (indexedAt - uploadedAt) / 1000,
          foundAfter: (performance.now() - indexedAt) / 1000,
          viaRelation: true,
        };
      }
    } else await response.arrayBuffer();
    await sleep(100);
  }
  return { indexedAfter: (indexedAt - uploadedAt) / 1000, foundAfter: null, viaRelation: sawHit };
}

const fixed = (value: number, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const total = Number(flags.get('passages') ?? '100000');
  const steps = (flags.get('steps') ?? '2000,10000,50000,100000')
    .split(',')
    .map(Number)
    .filter((step) => step > 0 && step <= total);
  if (steps.length === 0 || steps.some((step, index) => index > 0 && step <= steps[index - 1])) {
    throw new Error('--steps must be increasing passage counts, each at most --passages');
  }
  if (steps[steps.length - 1] !== total) steps.push(total);
  const questionCount = Number(flags.get('questions') ?? '100');
  const appDir = resolve(flags.get('app-dir') ?? REPO_ROOT);

  const musique = loadDataset(DEFAULT_DATASET_DIR);
  const wiki = JSON.parse(readFileSync(join(WIKI_DIR, 'corpus.json'), 'utf8')) as CorpusPassage[];
  const real = [...musique.corpus, ...wiki];
  const seen = new Set<string>();
  const corpus: CorpusPassage[] = [];
  for (const passage of real) {
    if (corpus.length >= total) break;
    const key = passageKey(passage.title, passage.text);
    if (seen.has(key)) continue;
    seen.add(key);
    corpus.push(passage);
  }
  if (corpus.length < total) {
    const synthetic = new SyntheticCorpus(real, Math.max(2_000, Math.round(total / 4)));
    for (let index = 0; corpus.length < total; index += 1) {
      const passage = synthetic.passage(index);
      const key = passageKey(passage.title, passage.text);
      if (seen.has(key)) continue;
      seen.add(key);
      corpus.push(passage);
    }
  }
  const syntheticCount = Math.max(0, total - real.length);
  const questions = musique.questions.slice(0, questionCount);
  console.log(
    `bench:scale — ${total} passages (MuSiQue-100 ${musique.corpus.length}, wiki-6k ${Math.min(wiki.length, Math.max(0, total - musique.corpus.length))}, synthetic ${syntheticCount}); steps ${steps.join(', ')}; ${questions.length} questions; ${availableParallelism()} cores; load ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );

  // Query vectors for the bare Weaviate query, computed before the stack gets busy.
  const embedder = await Embedder.load({ modelDir: process.env.CAIRN_EMBEDDING_MODEL_DIR });
  const vectors = new Map<string, number[]>();
  for (const question of questions) {
    vectors.set(question.question, Array.from(await embedder.embedOne(question.question)));
  }
  await embedder.close();

  let own: OwnStack | undefined;
  let apiUrl = (
    flags.get('api') ??
    process.env.CAIRN_API_URL ??
    `http://127.0.0.1:${process.env.CAIRN_API_PORT ?? '3000'}`
  ).replace(/\/+$/, '');
  let workerMetrics = flags.get('worker-metrics');
  if (flags.get('start') === 'true') {
    own = await startOwnStack(appDir);
    apiUrl = own.api;
    workerMetrics = own.workerMetrics;
  }
  const runDir = process.env.CAIRN_RUN_DIR;
  const processCpu = (): CpuByProcess => {
    const cpu = stackCpuSeconds(runDir);
    if (own) {
      for (const [name, pid] of [
        ['api', own.apiPid],
        ['worker', own.workerPid],
      ] as const) {
        cpu.set(name, treeCpuSeconds(pid));
      }
    }
    return cpu;
  };
  const rssOf = (): Map<string, number> => {
    const rss = new Map<string, number>();
    const pids: [string, number][] = own
      ? [
          ['api', own.apiPid],
          ['worker', own.workerPid],
        ]
      : pidFiles(runDir).filter(([name]) => /^(api|worker)/.test(name));
    for (const [name, pid] of pids) rss.set(name, treeRssMb(pid));
    return rss;
  };

  const workspaceId = flags.get('workspace') ?? freshWorkspaceId('bench-scale');
  await useBenchWorkspace(apiUrl, workspaceId);
  console.log(`API ${apiUrl}; workspace ${workspaceId}`);
  const dataDir = process.env.CAIRN_DATA_DIR ?? join(REPO_ROOT, '.data');
  const neo4jStart = diskBytes(join(dataDir, 'neo4j'));
  const weaviateStart = diskBytes(join(dataDir, 'weaviate'));

  const client = await weaviate.connectToLocal({
    host: new URL(process.env.WEAVIATE_URL ?? 'http://127.0.0.1:8080').hostname,
    port: Number(new URL(process.env.WEAVIATE_URL ?? 'http://127.0.0.1:8080').port || 8080),
    grpcPort: Number((process.env.WEAVIATE_GRPC_URL ?? '127.0.0.1:50051').split(':').pop()),
  });
  const tenant = client.collections.use('Chunk').withTenant(workspaceId);
  const bareHybrid = async (query: string) => {
    await tenant.query.hybrid(query, {
      vector: vectors.get(query)!,
      limit: 10,
      alpha: 0.5,
      returnProperties: ['text', 'title', 'documentId', 'ord'],
    });
  };
  const graphSideMs: number[] = [];
  const search = async (query: string, mode: string, limit = 10) => {
    for (;;) {
      const response = await fetch(`${apiUrl}/search`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'cache-control': 'no-cache',
          ...benchHeaders(),
        },
        body: JSON.stringify({ query, mode, limit }),
      });
      if (response.status === 503 || response.status === 429) {
        // Shed (more than the API takes at once) or over budget: ask again shortly.
        await response.arrayBuffer();
        await sleep(200);
        continue;
      }
      if (response.status !== 200) {
        throw new Error(`POST /search (${mode}) → ${response.status}: ${await response.text()}`);
      }
      return (await response.json()) as {
        hits: { title: string; text: string }[];
        timings?: Record<string, number>;
      };
    }
  };

  const figures: StepFigures[] = [];
  let imported = 0;
  for (const [stepIndex, step] of steps.entries()) {
    const passages = corpus.slice(imported, step);
    console.log(`\n== step ${stepIndex + 1}/${steps.length}: passages ${imported + 1}–${step} ==`);
    const cpuBefore = processCpu();
    const activitiesBefore = await activitySeconds(workerMetrics);
    const started = performance.now();
    const importing = importPassages(apiUrl, passages);
    // The fresh document goes in while the import is under way (after its first seconds).
    await sleep(Math.min(20_000, passages.length * 2));
    const freshness = await measureFreshness(apiUrl, step).catch((error: unknown) => {
      console.log(`  freshness: ${String(error)}`);
      return null;
    });
    const failed = await importing;
    const stepSeconds = (performance.now() - started) / 1000;
    // Processes of other runs sharing the engines (an npm test's API and workers) are not the
    // import's: shown apart, left out of the per-passage figure.
    const allSpent = cpuSpent(cpuBefore, processCpu());
    const spent = allSpent.filter(([name]) => !name.startsWith('test-'));
    const others = allSpent.filter(([name, seconds]) => name.startsWith('test-') && seconds > 0.05);
    const activitiesAfter = await activitySeconds(workerMetrics);
    imported = step;
    // The fresh document is one more passage in the step; its share of the time is negligible.
    const ingestPerSecond = (passages.length - failed) / stepSeconds;
    const cpuMsPerPassage = spent
      .filter(([, seconds]) => seconds > 0.05)
      .map(([name, seconds]): [string, number] => [name, (seconds / passages.length) * 1000]);
    const activitySecondsPerK = [...activitiesAfter]
      .map(([name, seconds]): [string, number] => [
        name,
        ((seconds - (activitiesBefore.get(name) ?? 0)) / passages.length) * 1000,
      ])
      .filter(([, seconds]) => seconds > 0.005)
      .sort((a, b) => b[1] - a[1]);
    console.log(
      `ingest: ${passages.length} passages in ${fixed(stepSeconds)} s = ${fixed(ingestPerSecond)} passages/s (${failed} failed)`,
    );
    console.log(
      `bulk import CPU per passage: ${fixed((totalSeconds(spent) / passages.length) * 1000)} ms — ` +
        cpuMsPerPassage.map(([name, ms]) => `${name} ${fixed(ms)}`).join(', ') +
        (others.length > 0
          ? ` (not counted, other runs on the machine: ${others.map(([name, seconds]) => `${name} ${fixed(seconds)} s`).join(', ')})`
          : ''),
    );
    if (activitySecondsPerK.length > 0) {
      console.log(
        `worker activity time per 1,000 passages: ` +
          activitySecondsPerK.map(([name, seconds]) => `${name} ${fixed(seconds)} s`).join(', '),
      );
    }
    if (freshness) {
      console.log(
        `freshness: indexed ${fixed(freshness.indexedAfter)} s after upload during the import; ` +
          (freshness.foundAfter === null
            ? `NOT found through a relation by a graph search within 120 s of indexed${freshness.viaRelation ? ' (found without a relation path)' : ''}`
            : `found through a relation by a graph search ${fixed(freshness.foundAfter, 2)} s after indexed`),
      );
    }

    // Searches once the step is in; the engines may still flush, as a real workspace's would.
    const texts = questions.map((question) => question.question);
    for (const question of texts.slice(0, 10)) {
      await search(question, 'auto');
      await bareHybrid(question);
    }
    const results = new Map<string, Latency>();
    for (const concurrency of [1, 8]) {
      results.set(`bare@${concurrency}`, await measure(texts, concurrency, bareHybrid));
      graphSideMs.length = 0;
      results.set(
        `auto@${concurrency}`,
        await measure(texts, concurrency, async (query) => {
          const { timings } = await search(query, 'auto');
          if (concurrency === 1 && timings) {
            // Graph-side: everything but the stamp read, Weaviate's answer and hydration.
            graphSideMs.push(
              Object.entries(timings)
                .filter(([name]) => !['stamp', 'retrieve', 'hydrate'].includes(name))
                .reduce((sum, [, ms]) => sum + ms, 0),
            );
          }
        }),
      );
      if (concurrency === 1) graphSideMs.sort((a, b) => a - b);
      const graphSide =
        concurrency === 1
          ? { p50: percentile(graphSideMs, 0.5), p95: percentile(graphSideMs, 0.95) }
          : undefined;
      if (graphSide) results.set('graph-side', { ...graphSide, qps: NaN });
      results.set(
        `hybrid@${concurrency}`,
        await measure(texts, concurrency, async (query) => {
          await search(query, 'hybrid');
        }),
      );
    }
    for (const [name, latency] of results) {
      if (name === 'graph-side') continue;
      console.log(
        `search ${name.padEnd(9)} p50 ${fixed(latency.p50).padStart(7)} ms  p95 ${fixed(latency.p95).padStart(7)} ms  ${fixed(latency.qps)} q/s`,
      );
    }
    const graphSide = results.get('graph-side')!;
    console.log(
      `graph-side of an auto search (c1; API timings but stamp, retrieve, hydrate): p50 ${fixed(graphSide.p50)} ms, p95 ${fixed(graphSide.p95)} ms`,
    );

    // MuSiQue-100 recall in the grown workspace: hits map to passages of the whole corpus so far.
    const toPassage = passageMapper(corpus.slice(0, step));
    let r2 = 0;
    let r5 = 0;
    const retrieved = await mapConcurrently(questions, 4, async (question) => {
      const { hits } = await search(question.question, 'auto', 20);
      return [...new Set(hits.map(toPassage))];
    });
    retrieved.forEach((ranked, index) => {
      const gold = new Set(
        questions[index].paragraphs
          .filter((paragraph) => paragraph.is_supporting)
          .map((paragraph) => passageKey(paragraph.title, paragraph.paragraph_text)),
      );
      if (gold.size === 0) return;
      const within = (k: number) =>
        [...gold].filter((key) => ranked.slice(0, k).includes(key)).length / gold.size;
      r2 += within(2);
      r5 += within(5);
    });
    const recall = {
      r2: (r2 / questions.length) * 100,
      r5: (r5 / questions.length) * 100,
      complete: step >= musique.corpus.length,
    };
    console.log(
      `MuSiQue-100 auto: R@2 ${fixed(recall.r2)}, R@5 ${fixed(recall.r5)}${recall.complete ? '' : ' (its corpus is not all imported yet)'}`,
    );

    const rss = rssOf();
    const disk = new Map<string, number>([
      ['neo4j', diskBytes(join(dataDir, 'neo4j'))],
      ['neo4j grown', diskBytes(join(dataDir, 'neo4j')) - neo4jStart],
      ['weaviate', diskBytes(join(dataDir, 'weaviate'))],
      ['weaviate grown', diskBytes(join(dataDir, 'weaviate')) - weaviateStart],
      ['weaviate tenant', diskBytes(join(dataDir, 'weaviate', 'chunk', workspaceId))],
    ]);
    console.log(
      `RSS: ${[...rss].map(([name, mb]) => `${name} ${fixed(mb, 0)} MB`).join(', ') || 'n/a (no processes known)'}; ` +
        `disk (whole engines, other workspaces included; grown = since this run began): ` +
        [...disk].map(([name, bytes]) => `${name} ${fixed(bytes / 2 ** 20, 0)} MB`).join(', '),
    );
    console.log(
      `load average: ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}`,
    );
    figures.push({
      passages: step,
      ingestPerSecond,
      stepSeconds,
      cpuMsPerPassage,
      activitySecondsPerK,
      search: results,
      graphSide,
      rss,
      disk,
      freshness,
      recall,
    });
  }
  await client.close();

  console.log(
    '\n| passages | ingest passages/s | CPU ms/passage | auto p50/p95 c1 | auto p95 c8 (q/s) | hybrid p95 c1 / c8 | bare hybrid p95 c8 (q/s) | graph-side p95 | API RSS MB | worker RSS MB | Neo4j / Weaviate grown MB | fresh s | R@2 / R@5 |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const step of figures) {
    const get = (name: string) => step.search.get(name)!;
    console.log(
      `| ${step.passages} | ${fixed(step.ingestPerSecond)} | ${fixed(
        step.cpuMsPerPassage.reduce((sum, [, ms]) => sum + ms, 0),
        0,
      )} | ` +
        `${fixed(get('auto@1').p50, 0)} / ${fixed(get('auto@1').p95, 0)} | ${fixed(get('auto@8').p95, 0)} (${fixed(get('auto@8').qps)}) | ` +
        `${fixed(get('hybrid@1').p95, 0)} / ${fixed(get('hybrid@8').p95, 0)} | ${fixed(get('bare@8').p95, 0)} (${fixed(get('bare@8').qps)}) | ` +
        `${fixed(step.graphSide.p95, 0)} | ${fixed(step.rss.get('api') ?? NaN, 0)} | ${fixed(step.rss.get('worker') ?? NaN, 0)} | ` +
        `${fixed(step.disk.get('neo4j grown')! / 2 ** 20, 0)} / ${fixed(step.disk.get('weaviate grown')! / 2 ** 20, 0)} | ` +
        `${step.freshness?.foundAfter === null || step.freshness === null ? 'n/a' : fixed(step.freshness.foundAfter, 2)} | ${fixed(step.recall.r2)} / ${fixed(step.recall.r5)} |`,
    );
  }

  if (flags.get('keep') !== 'true') {
    console.log(`\ndeleting the workspace's documents (--keep keeps them)…`);
    await deleteAllDocuments(apiUrl);
  } else console.log(`\nkept workspace ${workspaceId}`);
  await own?.stop();

  const first = figures[0];
  const last = figures[figures.length - 1];
  const freshValues = figures.map((step) => step.freshness?.foundAfter ?? NaN);
  const worstFresh = freshValues.some((value) => Number.isNaN(value))
    ? NaN
    : Math.max(...freshValues);
  const line = {
    passages: last.passages,
    ingest_ps_first: fixed(first.ingestPerSecond),
    ingest_ps_last: fixed(last.ingestPerSecond),
    auto_p95_c1_ms: fixed(last.search.get('auto@1')!.p95),
    auto_p95_c8_ms: fixed(last.search.get('auto@8')!.p95),
    bare_p95_c8_ms: fixed(last.search.get('bare@8')!.p95),
    auto_qps_c8: fixed(last.search.get('auto@8')!.qps),
    bare_qps_c8: fixed(last.search.get('bare@8')!.qps),
    api_rss_mb: fixed(last.rss.get('api') ?? NaN, 0),
    fresh_s: fixed(worstFresh, 2),
    r5_start: fixed((figures.find((step) => step.recall.complete) ?? first).recall.r5),
    r5_end: fixed(last.recall.r5),
  };
  console.log(
    `scale: ${Object.entries(line)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ')}`,
  );
}

function treeCpuSeconds(pid: number): number {
  const stats = new Map<number, { parent: number; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
      stats.set(Number(entry), { parent: Number(fields[1]), seconds: ticks / 100 });
    } catch {
      // ended meanwhile
    }
  }
  let seconds = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    seconds += stats.get(current)?.seconds ?? 0;
    for (const [child, stat] of stats) if (stat.parent === current) pending.push(child);
  }
  return seconds;
}

function pidFiles(runDir: string | undefined): [string, number][] {
  if (runDir === undefined || !existsSync(runDir)) return [];
  return readdirSync(runDir)
    .filter((name) => name.endsWith('.pid'))
    .map((name): [string, number] => [
      name.slice(0, -4),
      Number(readFileSync(join(runDir, name), 'utf8').trim()),
    ]);
}

/** Deletes every document of the workspace through the API (exact delete), 8 at a time. */
async function deleteAllDocuments(apiUrl: string): Promise<void> {
  const asked = new Set<string>();
  for (;;) {
    const page = (await (
      await fetch(`${apiUrl}/documents?limit=100`, { headers: benchHeaders() })
    ).json()) as { items: { id: string; status: string }[] };
    const items = page.items;
    if (items.length === 0) return;
    const deletable = items.filter((item) => !asked.has(item.id));
    if (deletable.length === 0) {
      await sleep(5_000);
      continue;
    }
    for (const item of deletable) asked.add(item.id);
    await mapConcurrently(deletable, 8, async (item) => {
      const response = await fetch(`${apiUrl}/documents/${item.id}`, {
        method: 'DELETE',
        headers: benchHeaders(),
      });
      await response.arrayBuffer();
    });
    console.log(`  asked to delete ${deletable.length} more documents`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
