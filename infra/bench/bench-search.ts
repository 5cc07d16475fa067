/**
 * Search latency over HTTP, per mode, at concurrency 1 and 8, next to a bare Weaviate hybrid
 * query (vector + BM25 in one call, the vector computed beforehand) for the same questions on
 * the same tenant. Without --workspace it uses the workspace `bench-<dataset folder>` and first
 * imports the corpus there (idempotent: a second run finds every passage present).
 *
 *   npm run bench:search -- [--dataset <dir>] [--api <url>] [--workspace <id>] [--rounds 1]
 *
 * API searches send "Cache-Control: no-cache", so every answer is computed (query embeddings
 * stay cached, as they are for any repeated question); one extra row shows cached answers.
 */
import { basename, resolve } from 'node:path';
import weaviate from 'weaviate-client';
// Same settings as the stack (model folder, Weaviate address) without sourcing infra/env.sh first.
import '../../test/support/load-stack-env';
import { Embedder } from '../../src/embedding/embedder';
import {
  DEFAULT_DATASET_DIR,
  REPO_ROOT,
  benchHeaders,
  loadCorpusIntoApi,
  loadDataset,
  mapConcurrently,
  useBenchWorkspace,
  parseFlags,
} from './retrieval-dataset';

const MODES = ['vector', 'keyword', 'hybrid', 'graph', 'auto'] as const;
const CONCURRENCIES = [1, 8] as const;

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

async function measure(
  items: string[],
  concurrency: number,
  work: (item: string) => Promise<void>,
): Promise<{ p50: number; p95: number; qps: number }> {
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

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const datasetDir = resolve(REPO_ROOT, flags.get('dataset') ?? DEFAULT_DATASET_DIR);
  const dataset = loadDataset(datasetDir);
  const apiUrl = (
    flags.get('api') ?? `http://127.0.0.1:${process.env.CAIRN_API_PORT ?? '3000'}`
  ).replace(/\/+$/, '');
  const workspaceId = flags.get('workspace') ?? `bench-${basename(datasetDir)}`;
  await useBenchWorkspace(apiUrl, workspaceId);
  if (!flags.get('workspace')) await loadCorpusIntoApi(apiUrl, dataset.corpus);
  const rounds = Number(flags.get('rounds') ?? '1');
  const questions = Array.from({ length: rounds }, () =>
    dataset.questions.map((question) => question.question),
  ).flat();

  const search = async (query: string, mode: string, cache: boolean) => {
    const response = await fetch(`${apiUrl}/search`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...benchHeaders(),
        ...(cache ? {} : { 'cache-control': 'no-cache' }),
      },
      body: JSON.stringify({ query, mode, limit: 10 }),
    });
    if (response.status === 429) {
      throw new Error(
        'POST /search → 429: the API rate-limits searches; run it for benchmarks with a larger budget, e.g. CAIRN_RATE_LIMIT_SEARCH_BURST=100000 CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE=1000000 npm start',
      );
    }
    if (response.status !== 200) throw new Error(`POST /search → ${response.status}`);
    await response.arrayBuffer();
  };

  // Warm-up: loads the model and the graph in the API and fills the query-embedding cache.
  await mapConcurrently(dataset.questions, 4, (question) =>
    search(question.question, 'auto', false),
  );

  const embedder = await Embedder.load({ modelDir: process.env.CAIRN_EMBEDDING_MODEL_DIR });
  const vectors = new Map<string, number[]>();
  for (const question of dataset.questions) {
    vectors.set(question.question, Array.from(await embedder.embedOne(question.question)));
  }
  await embedder.close();
  const client = await weaviate.connectToLocal({
    host: new URL(process.env.WEAVIATE_URL ?? 'http://127.0.0.1:8080').hostname,
    port: Number(new URL(process.env.WEAVIATE_URL ?? 'http://127.0.0.1:8080').port || 8080),
    grpcPort: Number((process.env.WEAVIATE_GRPC_URL ?? '127.0.0.1:50051').split(':').pop()),
  });
  const collection = client.collections.use('Chunk').withTenant(workspaceId);
  const bareHybrid = async (query: string) => {
    await collection.query.hybrid(query, {
      vector: vectors.get(query)!,
      limit: 10,
      alpha: 0.5,
      returnProperties: ['text', 'title', 'documentId', 'ord'],
    });
  };
  for (const question of dataset.questions.slice(0, 20)) await bareHybrid(question.question);

  console.log(
    `${questions.length} questions per run; API ${apiUrl}, tenant ${workspaceId}; latency in ms\n`,
  );
  console.log('| what | concurrency | p50 | p95 | queries/s |\n|---|---|---|---|---|');
  const results = new Map<string, { p50: number; p95: number }>();
  const row = (
    what: string,
    concurrency: number,
    figures: { p50: number; p95: number; qps: number },
  ) => {
    results.set(`${what}@${concurrency}`, figures);
    console.log(
      `| ${what} | ${concurrency} | ${figures.p50.toFixed(1)} | ${figures.p95.toFixed(1)} | ${figures.qps.toFixed(1)} |`,
    );
  };
  for (const concurrency of CONCURRENCIES) {
    row('bare Weaviate hybrid', concurrency, await measure(questions, concurrency, bareHybrid));
    for (const mode of MODES) {
      row(
        `POST /search ${mode}`,
        concurrency,
        await measure(questions, concurrency, (query) => search(query, mode, false)),
      );
    }
    row(
      'POST /search auto (cached answers)',
      concurrency,
      await measure(questions, concurrency, (query) => search(query, 'auto', true)),
    );
  }
  await client.close();
  for (const concurrency of CONCURRENCIES) {
    const auto = results.get(`POST /search auto@${concurrency}`)!;
    const bare = results.get(`bare Weaviate hybrid@${concurrency}`)!;
    console.log(
      `\nconcurrency ${concurrency}: auto p95 ${auto.p95.toFixed(1)} ms = ${(auto.p95 / bare.p95).toFixed(2)}× bare hybrid p95 (${bare.p95.toFixed(1)} ms); p50 ratio ${(auto.p50 / bare.p50).toFixed(2)}×`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
