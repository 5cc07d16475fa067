import {
  chunksHandoffKey,
  extractionHandoffKey,
  vectorsHandoffKey,
} from '../../src/documents/artifacts';
import { defaultTestUser, ensureWorkspace, tokenFor } from '../support/auth';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import type { Client } from '@temporalio/client';
import { callApi } from '../support/api';
import { connectTemporal } from '../support/temporal';
import {
  dropWorkspace,
  dumpWorkspace,
  openStores,
  snapshotDocument,
  type DocumentSnapshot,
  type StoreClients,
} from '../support/store-snapshot';

// Kills a real worker process with SIGKILL while 20 documents are in flight, starts a
// replacement with the same command line, and checks that every document still ends indexed with
// exactly what a clean run gives: the same documents uploaded into a fresh workspace, with no
// crash, and the two workspaces' full dumps compared (every node, relationship, Weaviate object
// with its vector, MinIO object and Postgres row; ids and timestamps normalised). Needs the workers npm test starts, one process per queue, with
// pid files $CAIRN_RUN_DIR/test-worker-{ai,storage}.pid (see infra/cairn.sh test).
//
// The kill is aimed: it happens while Temporal shows the worker (by pid) running one of the
// queue's activities, and the test checks that this attempt was retried. Recovery waits for
// Temporal to time out the dead worker's attempts: the ai queue's heartbeat timeout (2 min), the
// storage queue's start-to-close timeout (5 min).

const RECOVERY_TIMEOUT_MS = Number(process.env.CAIRN_TEST_CRASH_TIMEOUT_MS ?? 9 * 60_000);
const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 120_000);
jest.setTimeout(RECOVERY_TIMEOUT_MS + 4 * INDEX_TIMEOUT_MS);

const runDir = process.env.CAIRN_RUN_DIR ?? '';
const logDir = process.env.CAIRN_LOG_DIR ?? '';
const DOCUMENTS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- worker processes ----

interface WorkerProcess {
  pid: number;
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const pidFile = (queue: string) => join(runDir, `test-worker-${queue}.pid`);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The test's worker for one queue, as the pid file names it, with its command line and env. */
function readWorker(queue: string): WorkerProcess {
  const file = pidFile(queue);
  if (!runDir || !existsSync(file)) {
    throw new Error(
      `no pid file ${file}: run through npm test (infra/cairn.sh test starts one worker per queue)`,
    );
  }
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || !isAlive(pid))
    throw new Error(`${file}: pid ${pid} is not running`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((entry) => entry.includes('='))
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  // Guard against a recycled pid: it must be a Cairn worker serving exactly this queue.
  expect(argv.join(' ')).toMatch(/workers\/main\.js/);
  expect(env.CAIRN_WORKER_QUEUES).toBe(queue);
  return { pid, argv, env, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

/** SIGKILL, then the same command line and environment again, detached, logging where it did. */
async function killAndReplace(queue: string): Promise<{ killed: number; replacement: number }> {
  const worker = readWorker(queue);
  try {
    process.kill(-worker.pid, 'SIGKILL'); // its process group (it leads one)
  } catch {
    process.kill(worker.pid, 'SIGKILL');
  }
  for (let waited = 0; isAlive(worker.pid); waited += 50) {
    if (waited > 10_000) throw new Error(`pid ${worker.pid} survived SIGKILL`);
    await sleep(50);
  }
  const log = openSync(join(logDir, `test-worker-${queue}.log`), 'a');
  try {
    const child = spawn(worker.argv[0], worker.argv.slice(1), {
      cwd: worker.cwd,
      env: worker.env,
      detached: true, // its own process group, which infra/cairn.sh stops by pid at the end
      stdio: ['ignore', log, log],
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start a ${queue} worker`);
    const file = pidFile(queue);
    writeFileSync(`${file}.tmp`, `${child.pid}\n`);
    renameSync(`${file}.tmp`, file);
    return { killed: worker.pid, replacement: child.pid };
  } finally {
    closeSync(log);
  }
}

// ---- documents ----

const FIRST = [
  'Amelia',
  'Bruno',
  'Clara',
  'Dmitri',
  'Elena',
  'Felix',
  'Greta',
  'Hugo',
  'Irene',
  'Jonas',
];
const LAST = [
  'Hartmann',
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Castillo',
  'Nakamura',
  'Fischer',
  'Novak',
  'Brennan',
  'Rossi',
];
const CITIES = [
  'Berlin',
  'Lisbon',
  'Toronto',
  'Nairobi',
  'Osaka',
  'Melbourne',
  'Vienna',
  'Chicago',
  'Madrid',
  'Dublin',
];
const COMPANIES = [
  'Siemens',
  'Toyota',
  'Microsoft',
  'Nestle',
  'Unilever',
  'Samsung',
  'Philips',
  'Boeing',
  'Ericsson',
  'Nokia',
];

/** A few thousand characters of entity-rich prose, different for every document and every run. */
function documentText(index: number, run: string): string {
  const person = `${FIRST[index % 10]} ${LAST[(index * 3 + 1) % 10]}`;
  const colleague = `${FIRST[(index + 4) % 10]} ${LAST[(index * 7 + 5) % 10]}`;
  const city = CITIES[index % 10];
  const other = CITIES[(index + 3) % 10];
  const company = COMPANIES[index % 10];
  const partner = COMPANIES[(index + 6) % 10];
  const paragraphs = Array.from({ length: 6 }, (_, round) =>
    [
      `In ${1990 + round + index}, ${person} joined ${company} in ${city} as an engineer.`,
      `${person} worked with ${colleague} on a project that ${partner} funded in ${other}.`,
      `${colleague} later moved from ${other} to ${city}, where ${company} opened a laboratory.`,
      `The laboratory in ${city} hired ${person} and ${colleague} to lead research for ${partner}.`,
      `Their report number ${run}-${index}-${round} was presented in ${other} to the board of ${company}.`,
    ].join(' '),
  );
  return paragraphs.join('\n\n');
}

/** Each crash run uploads into a workspace of its own, so that its dump holds only its documents. */
let workspaceId = '';
let token = '';
const asWorkspace = (workspace = workspaceId) => ({
  headers: { authorization: `Bearer ${token}`, 'x-workspace-id': workspace },
});

async function getDocument(id: string): Promise<DocumentDto> {
  const response = await callApi<DocumentDto>('GET', `/documents/${id}`, asWorkspace());
  if (response.status !== 200) {
    throw new Error(`GET /documents/${id}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

const getAll = (ids: string[]) => Promise.all(ids.map(getDocument));

async function waitUntilAllIndexed(ids: string[], timeoutMs: number): Promise<DocumentDto[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const documents = await getAll(ids);
    const failed = documents.filter((document) => document.status === 'failed');
    if (failed.length > 0) {
      throw new Error(`failed: ${failed.map((d) => `${d.id}: ${d.error}`).join('; ')}`);
    }
    if (documents.every((document) => document.status === 'indexed')) return documents;
    if (Date.now() > deadline) {
      const waiting = documents.filter((document) => document.status !== 'indexed');
      throw new Error(
        `${waiting.length} of ${ids.length} not indexed after ${timeoutMs} ms: ` +
          waiting.map((d) => `${d.id} ${d.status}/${d.stage}`).join(', '),
      );
    }
    await sleep(500);
  }
}

// temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
const ACTIVITY_STARTED = 2;

interface InFlight {
  workflowId: string;
  activityType: string;
}

/** The activities of these types a worker (by pid) is running right now for these workflows. */
async function runningOn(
  temporal: Client,
  workflowIds: string[],
  activityTypes: string[],
  pid: number,
): Promise<InFlight[]> {
  const descriptions = await Promise.all(
    workflowIds.map((workflowId) => temporal.workflow.getHandle(workflowId).describe()),
  );
  return descriptions.flatMap((description) =>
    (description.raw.pendingActivities ?? [])
      .filter(
        (activity) =>
          Number(activity.state) === ACTIVITY_STARTED &&
          activityTypes.includes(activity.activityType?.name ?? '') &&
          (activity.lastWorkerIdentity ?? '').startsWith(`${pid}@`),
      )
      .map((activity) => ({
        workflowId: description.workflowId,
        activityType: activity.activityType?.name ?? '',
      })),
  );
}

/**
 * Polls (fast) until `count` documents reached a stage and the queue's worker is running one of
 * these activities; returns the documents at that moment.
 */
async function waitForWork(
  temporal: Client,
  ids: string[],
  workflowIds: string[],
  reached: (document: DocumentDto) => boolean,
  count: number,
  queue: string,
  activityTypes: string[],
  timeoutMs: number,
): Promise<DocumentDto[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const documents = await getAll(ids);
    if (documents.filter(reached).length >= count) {
      const { pid } = readWorker(queue);
      if ((await runningOn(temporal, workflowIds, activityTypes, pid)).length > 0) return documents;
    }
    if (Date.now() > deadline) {
      throw new Error(`the ${queue} worker was never busy with ${activityTypes.join('/')}`);
    }
    await sleep(25);
  }
}

/** Attempt numbers with which an activity type was started in the workflow's latest run. */
async function startedAttempts(
  temporal: Client,
  workflowId: string,
  activityType: string,
): Promise<number[]> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const attempts: number[] = [];
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name) scheduled.set(id, name);
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.get(String(started.scheduledEventId)) === activityType) {
      attempts.push(started.attempt ?? 1);
    }
  }
  return attempts;
}

async function uploadAll(
  workspace: string,
  queue: string,
  run: string,
): Promise<DocumentAcceptedDto[]> {
  const accepted: DocumentAcceptedDto[] = [];
  for (let index = 0; index < DOCUMENTS; index++) {
    const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
      json: { title: `Crash ${queue} ${run} #${index}`, text: documentText(index, run) },
      ...asWorkspace(workspace),
    });
    expect(response.status).toBe(202);
    accepted.push(response.body);
  }
  return accepted;
}

describe('a worker killed with SIGKILL mid-processing', () => {
  let app: INestApplicationContext;
  let stores: StoreClients;
  let temporal: Client;
  let closeTemporal: (() => Promise<void>) | undefined;
  const workspaces: string[] = [];

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    ({ client: temporal, close: closeTemporal } = await connectTemporal());
    token = await tokenFor(defaultTestUser(), { expiresIn: 24 * 3600 });
  });

  afterAll(async () => {
    for (const workspace of workspaces) {
      await dropWorkspace(stores, workspace).catch(() => undefined);
    }
    await closeTemporal?.();
    await app?.close();
  });

  async function newWorkspace(name: string): Promise<string> {
    await ensureWorkspace(token, name, 'Crash test');
    workspaces.push(name);
    return name;
  }

  /** What each document contributed, keyed by id. */
  async function contributions(documents: DocumentDto[]) {
    const entries = await Promise.all(
      documents.map(async (document) => {
        const snapshot: DocumentSnapshot & { counts: DocumentDto['counts'] } = {
          ...(await snapshotDocument(stores, workspaceId, document.id, document.sha256)),
          counts: document.counts,
        };
        return [document.id, snapshot] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  async function crashRun(
    queue: 'ai' | 'storage',
    activityTypes: string[],
    reached: (document: DocumentDto) => boolean,
    count: number,
  ): Promise<void> {
    const run = randomBytes(4).toString('hex');
    readWorker(queue); // fail fast, before uploading, when there is no worker to kill
    workspaceId = await newWorkspace(`crash-${queue}-${run}`);

    const accepted = await uploadAll(workspaceId, queue, run);
    const ids = accepted.map(({ id }) => id);
    const workflowIds = accepted.map((document) => document.workflowId);
    expect(new Set(ids).size).toBe(DOCUMENTS);

    // Kill while the worker holds an activity; when that activity finished in the instant
    // before the kill, kill the replacement at its next one.
    let hit: InFlight | undefined;
    let unfinished = 0;
    const killed: number[] = [];
    let replacement = 0;
    for (let attempt = 0; attempt < 5 && !hit; attempt++) {
      const atKill = await waitForWork(
        temporal,
        ids,
        workflowIds,
        reached,
        count,
        queue,
        activityTypes,
        INDEX_TIMEOUT_MS,
      );
      unfinished = atKill.filter((document) => document.status !== 'indexed').length;
      const result = await killAndReplace(queue);
      killed.push(result.killed);
      replacement = result.replacement;
      // Temporal still sees the dead worker's attempt as running: it will time out and retry.
      [hit] = await runningOn(temporal, workflowIds, activityTypes, result.killed);
    }
    expect(hit).toBeDefined();
    expect(unfinished).toBeGreaterThan(0);

    const indexed = await waitUntilAllIndexed(ids, RECOVERY_TIMEOUT_MS);
    for (const pid of killed) expect(isAlive(pid)).toBe(false);
    expect(isAlive(replacement)).toBe(true);
    // The activity the crash interrupted ran again.
    const attempts = await startedAttempts(temporal, hit!.workflowId, hit!.activityType);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    for (const document of indexed) {
      expect(document.counts.chunks).toBeGreaterThan(1);
      expect(document.counts.entities).toBeGreaterThan(0);
    }
    const afterCrash = await contributions(indexed);
    for (const snapshot of Object.values(afterCrash)) {
      expect(snapshot.weaviate.objectIds).toHaveLength(snapshot.neo4j.chunks);
      expect(snapshot.minio.keys).toHaveLength(1); // the original
    }
    // What the steps handed each other went once each document was indexed, crash or not.
    for (const document of indexed) {
      for (const handoff of [chunksHandoffKey, extractionHandoffKey, vectorsHandoffKey]) {
        expect(await stores.blobs.stat(handoff(workspaceId, [document.id]))).toBeNull();
      }
    }

    // The clean run: the same documents uploaded into a fresh workspace, with no crash.
    const crashed = workspaceId;
    workspaceId = await newWorkspace(`crash-clean-${queue}-${run}`);
    const clean = (await uploadAll(workspaceId, queue, run)).map(({ id }) => id);
    await waitUntilAllIndexed(clean, 4 * INDEX_TIMEOUT_MS);
    const expected = await dumpWorkspace(stores, workspaceId);
    expect(expected.weaviate.length).toBeGreaterThan(DOCUMENTS);
    expect(await dumpWorkspace(stores, crashed)).toEqual(expected);
  }

  it('ai worker, killed once documents are past analyse: all 20 indexed, as a clean run', async () => {
    await crashRun(
      'ai',
      ['analyseDocuments', 'extractKnowledge', 'embedChunks'],
      (document) =>
        document.status === 'indexed' ||
        ['extract', 'graph', 'vectors', 'notify', 'done'].includes(document.stage ?? ''),
      3,
    );
  });

  it('storage worker, killed during the graph or vectors stage: all 20 indexed, as a clean run', async () => {
    await crashRun(
      'storage',
      ['writeGraph', 'indexVectors'],
      (document) => ['graph', 'vectors'].includes(document.stage ?? ''),
      1,
    );
  });
});
