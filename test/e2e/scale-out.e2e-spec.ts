// Scale-out on one machine: two API processes and two worker processes per task queue share one
// stack. A corpus imported through both APIs is processed exactly once, and the work spreads
// over the worker processes, as their /metrics counters show.
//
// The processes run in their own Temporal namespace and workspace, so the suite's usual test
// workers (namespace TEMPORAL_NAMESPACE) take none of their tasks. Ports: the APIs on
// CAIRN_TEST_API_PORT + 1 and + 2, the workers' metrics from CAIRN_TEST_WORKER_METRICS_PORT + 10,
// two apart. Needs dist/ (built by infra/cairn.sh test before jest).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { scrape, total, type Scrape } from '../support/metrics';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { dropWorkspace, openStores, type StoreClients } from '../support/store-snapshot';

const root = resolve(__dirname, '../..');
const token = randomUUID().slice(0, 8);
const workspaceId = `scale-${token}`;
const namespace = `${process.env.TEMPORAL_NAMESPACE ?? 'cairn'}-scale-out`;
const IMPORTS = 4;
const DOCUMENTS_PER_IMPORT = 10;
const DOCUMENTS = IMPORTS * DOCUMENTS_PER_IMPORT;
const queues = ['general', 'ai', 'storage'] as const;
type Queue = (typeof queues)[number];
const apiPorts = [1, 2].map((offset) => Number(process.env.CAIRN_TEST_API_PORT) + offset);
const workerBase = Number(process.env.CAIRN_TEST_WORKER_METRICS_PORT) + 10;
const workers = queues.flatMap((queue, q) =>
  [0, 1].map((replica) => ({ queue, replica, metricsPort: workerBase + (q * 2 + replica) * 2 })),
);
// Keyword attributes the workflows set (infra/stack.sh registers them in the main namespace).
const SEARCH_ATTRIBUTES = ['WorkspaceId', 'DocumentId', 'DomainId', 'Stage'];
const INDEXED_VALUE_TYPE_KEYWORD = 2;

const children: ChildProcess[] = [];

function start(name: string, script: string, env: Record<string, string>): ChildProcess {
  const log = createWriteStream(join(process.env.CAIRN_LOG_DIR ?? root, `scale-out-${name}.log`));
  const child = spawn(process.execPath, [join(root, script)], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_NAMESPACE: namespace,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.push(child);
  return child;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => {
            clearTimeout(killer);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function until<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead)
      throw new Error(`a scale-out process exited (${dead.exitCode}) while waiting for ${what}`);
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The namespace and its search attributes, created once (the dev server keeps them). */
async function ensureNamespace(): Promise<void> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  try {
    const service = connection.workflowService;
    const exists = await service.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await service.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    }
    await until('the namespace', 60_000, () =>
      service.describeNamespace({ namespace }).then(() => true),
    );
    // The operator service learns of a new namespace a few seconds after the frontend does.
    await until('the search attributes', 60_000, async () => {
      const listed = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = SEARCH_ATTRIBUTES.filter((name) => !(name in listed.customAttributes));
      if (missing.length === 0) return true;
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          missing.map((name) => [name, INDEXED_VALUE_TYPE_KEYWORD]),
        ),
      });
      return undefined;
    });
  } finally {
    await connection.close();
  }
}

// The owner of the test's workspace, signed in on every call to the test's own APIs.
let credentials: Record<string, string> = {};

async function api<T>(port: number, method: string, path: string, body?: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    body,
    headers: {
      ...credentials,
      ...(body ? { 'content-type': 'application/x-ndjson' } : {}),
    },
  });
  const parsed = (await response.json()) as T;
  if (!response.ok)
    throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

function corpus(importIndex: number): string {
  return Array.from({ length: DOCUMENTS_PER_IMPORT }, (_, index) => {
    const n = importIndex * DOCUMENTS_PER_IMPORT + index;
    return JSON.stringify({
      title: `Scale ${token} harbour ${n}`,
      text: `Harbour ${n} of Scalemoor${token} was charted by Captain Oren Vale${n % 7}. Its lighthouse keeper, Mira Fenn${n % 5}, logged ${n + 3} storms in the year the Tidewater Guild${n % 3} rebuilt the pier.`,
    });
  }).join('\n');
}

describe('scale-out: two APIs and two workers per queue on one machine', () => {
  let app: INestApplicationContext | undefined;
  let stores: StoreClients;
  const scrapes = new Map<string, Scrape>();

  beforeAll(async () => {
    for (const script of ['dist/src/main.js', 'dist/workers/main.js']) {
      if (!existsSync(join(root, script))) throw new Error(`${script} is missing: build first`);
    }
    ({ app, stores } = await openStores());
    await ensureNamespace();
    const owner = await tokenFor(testUser(`scale-out-${token}`));
    await ensureWorkspace(owner, workspaceId, 'Scale-out');
    credentials = { authorization: `Bearer ${owner}`, 'x-workspace-id': workspaceId };
    apiPorts.forEach((port, index) =>
      start(`api-${index}`, 'dist/src/main.js', { CAIRN_API_PORT: String(port) }),
    );
    for (const { queue, replica, metricsPort } of workers) {
      start(`worker-${queue}-${replica}`, 'dist/workers/main.js', {
        CAIRN_WORKER_QUEUES: queue,
        CAIRN_WORKER_METRICS_PORT: String(metricsPort),
      });
    }
    await Promise.all([
      ...apiPorts.map((port) =>
        until(`API :${port}`, 120_000, () => api(port, 'GET', '/health/ready')),
      ),
      ...workers.map(({ metricsPort }) =>
        until(`worker :${metricsPort}`, 120_000, () =>
          scrape(`http://127.0.0.1:${metricsPort}/metrics`),
        ),
      ),
    ]);

    // Imports alternate between the two APIs; each is split into batches of 5.
    const accepted: { id: string; port: number }[] = [];
    for (let index = 0; index < IMPORTS; index++) {
      const port = apiPorts[index % 2];
      const { id } = await api<{ id: string }>(
        port,
        'POST',
        '/imports?batchSize=5&parallelBatches=2',
        corpus(index),
      );
      accepted.push({ id, port });
    }
    for (const { id, port } of accepted) {
      const finished = await until(`import ${id}`, 240_000, async () => {
        const view = await api<{ status: string; done: number; failed: number }>(
          port,
          'GET',
          `/imports/${id}`,
        );
        return ['completed', 'failed', 'cancelled'].includes(view.status) ? view : undefined;
      });
      expect(finished).toMatchObject({
        status: 'completed',
        done: DOCUMENTS_PER_IMPORT,
        failed: 0,
      });
    }
    for (const { queue, replica, metricsPort } of workers) {
      scrapes.set(`${queue}-${replica}`, await scrape(`http://127.0.0.1:${metricsPort}/metrics`));
    }
    for (const [index, port] of apiPorts.entries()) {
      scrapes.set(`api-${index}`, await scrape(`http://127.0.0.1:${port}/metrics`));
    }
  }, 420_000);

  afterAll(async () => {
    await stopAll();
    if (app) {
      await dropWorkspace(stores, workspaceId).catch(() => undefined);
      await app.close();
    }
  }, 60_000);

  it('stored every document exactly once, all indexed', async () => {
    const rows = await stores.postgres.queryInWorkspace<{
      id: string;
      status: string;
      title: string;
    }>(workspaceId, 'SELECT id, status, title FROM documents WHERE workspace_id = $1', [
      workspaceId,
    ]);
    expect(rows).toHaveLength(DOCUMENTS);
    expect(new Set(rows.map((row) => row.title)).size).toBe(DOCUMENTS);
    expect(rows.filter((row) => row.status !== 'indexed')).toEqual([]);
  });

  it('ran each pipeline stage once per document, summed over the worker processes', () => {
    const sum = (queue: Queue, stage: string) =>
      [0, 1].reduce(
        (total_, replica) =>
          total_ +
          total(scrapes.get(`${queue}-${replica}`)!, 'cairn_documents_processed_total', { stage }),
        0,
      );
    expect({
      analyse: sum('ai', 'analyse'),
      extract: sum('ai', 'extract'),
      embed: sum('ai', 'embed'),
      graph: sum('storage', 'graph'),
      vectors: sum('storage', 'vectors'),
    }).toEqual({
      analyse: DOCUMENTS,
      extract: DOCUMENTS,
      embed: DOCUMENTS,
      graph: DOCUMENTS,
      vectors: DOCUMENTS,
    });
  });

  it('spread the work over both processes of every queue', () => {
    const share = (queue: Queue, replica: number) => {
      const scraped = scrapes.get(`${queue}-${replica}`)!;
      // Every activity the process ran (workflow bookkeeping included), and its documents.
      return {
        activities: total(scraped, 'cairn_stage_duration_seconds_count'),
        documents: total(scraped, 'cairn_documents_processed_total'),
      };
    };
    // The split, for the record (the assertions below only need both sides to be non-zero).
    console.log(
      'scale-out split (activities run / documents processed):',
      queues
        .map((queue) =>
          [0, 1]
            .map((replica) => {
              const { activities, documents } = share(queue, replica);
              return `${queue}#${replica} ${activities}/${documents}`;
            })
            .join(', '),
        )
        .join('; '),
    );
    for (const queue of queues) {
      for (const replica of [0, 1]) {
        expect({ queue, replica, ran: share(queue, replica).activities > 0 }).toEqual({
          queue,
          replica,
          ran: true,
        });
      }
    }
    for (const queue of ['ai', 'storage'] as const) {
      for (const replica of [0, 1]) {
        expect({ queue, replica, documents: share(queue, replica).documents > 0 }).toEqual({
          queue,
          replica,
          documents: true,
        });
      }
    }
  });

  it('took the imports through both APIs', () => {
    for (const index of [0, 1]) {
      expect(
        total(scrapes.get(`api-${index}`)!, 'cairn_http_requests_total', {
          method: 'POST',
          route: '/imports',
          status: '202',
        }),
      ).toBe(IMPORTS / 2);
    }
  });
});
