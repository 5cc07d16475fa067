import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureWorkspace, testUser, tokenFor } from '../../test/support/auth';

/** Shared by bench:retrieval and bench:search: the dataset shape, its import, and HTTP helpers. */

export interface CorpusPassage {
  title: string;
  text: string;
}

export interface DatasetQuestion {
  id: string;
  question: string;
  paragraphs: { title: string; paragraph_text: string; is_supporting: boolean }[];
}

export interface Dataset {
  dir: string;
  corpus: CorpusPassage[];
  questions: DatasetQuestion[];
}

/** HippoRAG's passage identity: title + "\n" + text. */
export const passageKey = (title: string, text: string): string => `${title}\n${text}`;

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DEFAULT_DATASET_DIR = resolve(REPO_ROOT, '..', 'shared', 'datasets', 'musique-100');

export function loadDataset(dir: string): Dataset {
  const corpusFile = join(dir, 'corpus.json');
  const questionsFile = join(dir, 'questions.json');
  for (const file of [corpusFile, questionsFile]) {
    if (!existsSync(file)) throw new Error(`${file} not found`);
  }
  return {
    dir,
    corpus: JSON.parse(readFileSync(corpusFile, 'utf8')) as CorpusPassage[],
    questions: JSON.parse(readFileSync(questionsFile, 'utf8')) as DatasetQuestion[],
  };
}

/** `--name value` and `--name=value` flags; bare `--flag` gives 'true'. */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (!argument.startsWith('--')) continue;
    const [name, inline] = argument.slice(2).split('=', 2);
    if (inline !== undefined) flags.set(name, inline);
    else if (argv[index + 1] !== undefined && !argv[index + 1].startsWith('--')) {
      flags.set(name, argv[index + 1]);
      index += 1;
    } else flags.set(name, 'true');
  }
  return flags;
}

let sessionHeaders: Record<string, string> = {};

/**
 * Signs in as the benchmark user (a token signed with the local stack's JWT secret, shaped as
 * Supabase Auth's) and acts in `workspaceId` from then on, creating it when it does not exist.
 */
export async function useBenchWorkspace(apiUrl: string, workspaceId: string): Promise<void> {
  process.env.CAIRN_API_URL = apiUrl;
  const token = await tokenFor(testUser('bench'), { expiresIn: 12 * 3600 });
  await ensureWorkspace(token, workspaceId, 'Benchmarks');
  sessionHeaders = { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
}

/** The credentials and workspace of useBenchWorkspace, for requests the helpers here don't make. */
export const benchHeaders = (): Record<string, string> => sessionHeaders;

/** A workspace id no earlier run used: benchmarks measure on fresh workspaces. */
export const freshWorkspaceId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');

export async function postJson<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  let response: Response;
  for (;;) {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sessionHeaders, ...headers },
      body: JSON.stringify(body),
    });
    if (response.status !== 429) break;
    // Over the API's rate budget (CAIRN_RATE_LIMIT_*): wait as told, then ask again.
    await response.arrayBuffer();
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolveSleep) => setTimeout(resolveSleep, Math.max(1, seconds) * 1000));
  }
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers: sessionHeaders });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Runs `work` over items with at most `concurrency` in flight, results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

interface AcceptedDocument {
  id: string;
  status: string;
}

const FINAL_IMPORT_STATUSES = new Set(['completed', 'completed_with_errors', 'failed']);

/**
 * Imports the corpus through POST /imports (JSONL) when the API has that endpoint, else through
 * POST /documents; returns how it was done. Either way the documents end up indexed.
 */
export async function loadCorpusIntoApi(
  apiUrl: string,
  corpus: CorpusPassage[],
  options: { via?: 'imports' | 'documents'; log?: (line: string) => void } = {},
): Promise<'imports' | 'documents'> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (options.via !== 'documents') {
    const body = corpus.map((passage) => JSON.stringify(passage)).join('\n') + '\n';
    const response = await fetch(`${apiUrl}/imports`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', ...sessionHeaders },
      body,
    });
    if (response.status === 202) {
      const accepted = (await response.json()) as { id: string };
      log(`  import ${accepted.id} started`);
      for (;;) {
        const view = await getJson<{ status: string; done: number; total: number }>(
          `${apiUrl}/imports/${accepted.id}`,
        );
        if (FINAL_IMPORT_STATUSES.has(view.body.status)) {
          log(`  import ${view.body.status}: ${view.body.done}/${view.body.total}`);
          return 'imports';
        }
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 3_000));
      }
    }
    if (options.via === 'imports' || response.status !== 404) {
      throw new Error(`POST /imports → ${response.status}: ${await response.text()}`);
    }
    log('  POST /imports is not available: uploading documents one by one');
  }
  await importCorpus(apiUrl, corpus, { log });
  return 'documents';
}

/**
 * Puts the corpus into the API's workspace and waits until every document is indexed. Uses
 * POST /imports when the API has it; otherwise POST /documents one by one. Uploads are idempotent
 * (same bytes → same document), so re-running skips what is already there.
 * Returns documentId → index of the passage in the corpus.
 */
export async function importCorpus(
  apiUrl: string,
  corpus: CorpusPassage[],
  options: { concurrency?: number; log?: (line: string) => void } = {},
): Promise<Map<string, number>> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const passageByDocument = new Map<string, number>();
  const accepted = await mapConcurrently(
    corpus,
    options.concurrency ?? 8,
    async (passage, index) => {
      const response = await withRetries(async () => {
        const answer = await postJson<AcceptedDocument>(`${apiUrl}/documents`, passage);
        // An API restarting answers 5xx for a moment: worth another try.
        if (answer.status >= 500) throw new Error(`POST /documents → ${answer.status}`);
        return answer;
      });
      if (response.status >= 300) {
        throw new Error(`POST /documents for "${passage.title}" → ${response.status}`);
      }
      if ((index + 1) % 200 === 0) log(`  uploaded ${index + 1}/${corpus.length}`);
      return response.body;
    },
  );
  accepted.forEach((document, index) => passageByDocument.set(document.id, index));
  await waitUntilIndexed(apiUrl, [...passageByDocument.keys()], log);
  return passageByDocument;
}

async function waitUntilIndexed(
  apiUrl: string,
  documentIds: string[],
  log: (line: string) => void,
): Promise<void> {
  let pending = documentIds;
  let lastReport = 0;
  while (pending.length > 0) {
    const statuses = await mapConcurrently(pending, 16, async (id) => {
      const response = await withRetries(() =>
        getJson<{ status: string; error?: string }>(`${apiUrl}/documents/${id}`),
      );
      return {
        id,
        status: response.body?.status ?? String(response.status),
        error: response.body?.error,
      };
    });
    const failed = statuses.filter((entry) => entry.status === 'failed');
    if (failed.length > 0)
      log(`  ${failed.length} documents failed, e.g. ${failed[0].error ?? '?'}`);
    pending = statuses
      .filter((entry) => entry.status !== 'indexed' && entry.status !== 'failed')
      .map((entry) => entry.id);
    if (pending.length === 0) break;
    if (Date.now() - lastReport > 15_000) {
      log(`  waiting: ${documentIds.length - pending.length}/${documentIds.length} indexed`);
      lastReport = Date.now();
    }
    await new Promise((resolveSleep) => setTimeout(resolveSleep, 2_000));
  }
}

/** Network errors (an API restarting) are retried a few times with a growing pause. */
export async function withRetries<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 500 * 2 ** attempt));
    }
  }
}
