/**
 * End-to-end ingestion benchmark: `npm run bench:ingest -- [--corpus file.json] [--batch-size N]
 * [--parallel-batches N] [--workspace id]`. Imports a `[{title, text}]` corpus through POST /imports
 * of the running API (CAIRN_API_URL, default http://127.0.0.1:$CAIRN_API_PORT) into a fresh
 * workspace (signed in as the local benchmark user) and waits until every document is indexed.
 * Before that, while the stack is idle, it measures the embedding model alone on the same
 * passages in this process (run as the ai worker runs it), for the ratio pipeline / raw.
 * Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import '../../test/support/load-stack-env';
import { benchHeaders, freshWorkspaceId, useBenchWorkspace } from './retrieval-dataset';
import { cpuSpent, stackCpuSeconds, totalSeconds } from './stack-cpu';
import { timeEmbedding } from './time-embedding';
import { bulkParallelPasses } from '../../src/embedding/embedder';

interface Passage {
  title: string;
  text: string;
}

interface ImportView {
  id: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  documents: number;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

const repoRoot = resolve(__dirname, '../..');
const defaultCorpus = '../shared/datasets/musique-100/corpus.json';
const FINAL = new Set(['completed', 'completed_with_errors', 'failed']);

async function runImport(
  apiUrl: string,
  passages: Passage[],
  query: string,
): Promise<{ view: ImportView; acceptedAt: number; finishedAt: number }> {
  const body = passages.map((passage) => JSON.stringify(passage)).join('\n');
  const acceptedAt = performance.now();
  const response = await fetch(`${apiUrl}/imports${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...benchHeaders() },
    body,
  });
  const accepted = (await response.json()) as { id: string; message?: unknown };
  if (response.status !== 202) {
    throw new Error(`POST /imports answered ${response.status}: ${JSON.stringify(accepted)}`);
  }
  console.log(
    `import ${accepted.id} accepted in ${((performance.now() - acceptedAt) / 1000).toFixed(2)} s`,
  );
  // Progress arrives as Server-Sent Events: no polling load on the API while it is measured.
  const events = await fetch(`${apiUrl}/imports/${accepted.id}/events`, {
    headers: { accept: 'text/event-stream', ...benchHeaders() },
  });
  if (events.status !== 200 || !events.body) {
    throw new Error(`GET /imports/${accepted.id}/events answered ${events.status}`);
  }
  let lastLine = '';
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = events.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = message
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (!data || /^event:\s*heartbeat/m.test(message)) continue;
      const event = JSON.parse(data) as {
        status: string;
        done: number;
        failed: number;
        total: number;
      };
      const line = `  ${event.status}: ${event.done + event.failed}/${event.total} (failed ${event.failed})`;
      if (line !== lastLine) {
        console.log(`${((performance.now() - acceptedAt) / 1000).toFixed(1).padStart(6)} s${line}`);
      }
      lastLine = line;
      if (FINAL.has(event.status)) {
        const finishedAt = performance.now();
        await reader.cancel();
        const view = (await (
          await fetch(`${apiUrl}/imports/${accepted.id}`, { headers: benchHeaders() })
        ).json()) as ImportView;
        return { view, acceptedAt, finishedAt };
      }
    }
  }
  throw new Error(`the event stream of import ${accepted.id} ended before a final status`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', default: defaultCorpus },
      'batch-size': { type: 'string' },
      'parallel-batches': { type: 'string' },
      'skip-raw': { type: 'boolean', default: false },
      workspace: { type: 'string' },
    },
  });
  const corpusPath = resolve(repoRoot, values.corpus ?? defaultCorpus);
  const apiUrl = (
    process.env.CAIRN_API_URL ?? `http://127.0.0.1:${process.env.CAIRN_API_PORT ?? 3000}`
  ).replace(/\/+$/, '');
  const passages = JSON.parse(readFileSync(corpusPath, 'utf8')) as Passage[];
  const params = new URLSearchParams();
  if (values['batch-size']) params.set('batchSize', values['batch-size']);
  if (values['parallel-batches']) params.set('parallelBatches', values['parallel-batches']);
  const query = params.size > 0 ? `?${params}` : '';
  // A fresh workspace per run, so that every passage is processed (none is "already present").
  const workspaceId = values.workspace ?? freshWorkspaceId('bench-ingest');
  await useBenchWorkspace(apiUrl, workspaceId);
  console.log(`workspace ${workspaceId}`);
  console.log(
    `corpus ${corpusPath}: ${passages.length} passages; API ${apiUrl}; ${availableParallelism()} cores${query ? `; ${query}` : ''}`,
  );

  // The model alone first, while the stack is idle: right after an import the engines still
  // flush and compact for a while, which would slow the model down and flatter the ratio.
  const texts = passages.map((passage) => `${passage.title}\n${passage.text}`);
  const parallelPasses = bulkParallelPasses(
    Number(process.env.CAIRN_EMBEDDING_PARALLEL_PASSES ?? 0),
  );
  let raw: Awaited<ReturnType<typeof timeEmbedding>> | undefined;
  if (!values['skip-raw']) {
    const idleBefore = stackCpuSeconds();
    raw = await timeEmbedding(texts, { parallelPasses });
    const stackDuringRaw = totalSeconds(cpuSpent(idleBefore, stackCpuSeconds()));
    console.log(
      `raw embedding (same passages, same machine, ${parallelPasses} passes side by side as in the ai worker): ${raw.seconds.toFixed(1)} s, cpu ${raw.cpuSeconds.toFixed(1)} s, ${(texts.length / raw.seconds).toFixed(1)} passages/s; the stack meanwhile used ${stackDuringRaw.toFixed(1)} CPU s`,
    );
  }

  const cpuBefore = stackCpuSeconds();
  const { view, acceptedAt, finishedAt } = await runImport(apiUrl, passages, query);
  const wallSeconds = (finishedAt - acceptedAt) / 1000;
  const spent = cpuSpent(cpuBefore, stackCpuSeconds());
  const processed = view.documents;
  console.log(
    `import ${view.status}: ${view.total} entries, ${processed} new documents, ${view.total - processed - view.failed} already present or duplicates, ${view.failed} failed${view.error ? ` (${view.error})` : ''}`,
  );

  const pipelinePerSecond = processed / wallSeconds;
  console.log(`wall time (accepted → all indexed = searchable): ${wallSeconds.toFixed(1)} s`);
  console.log(`pipeline: ${pipelinePerSecond.toFixed(1)} new passages/s end to end`);
  // CPU time does not depend on what else the machine runs: it says where ingestion's work goes.
  const stackCpu = totalSeconds(spent);
  if (spent.length > 0 && processed > 0) {
    console.log(
      `stack CPU during the import: ${stackCpu.toFixed(1)} s (${((stackCpu / processed) * 1000).toFixed(1)} ms per passage): ` +
        spent.map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`).join(', '),
    );
  }
  if (!raw) return;
  const rawPerSecond = texts.length / raw.seconds;
  if (spent.length > 0 && processed > 0) {
    // Two idle cores run at most 2 CPU seconds per second: a floor on the wall time of each.
    const cores = availableParallelism();
    console.log(
      `CPU per passage: pipeline ${((stackCpu / processed) * 1000).toFixed(1)} ms, model alone ${((raw.cpuSeconds / texts.length) * 1000).toFixed(1)} ms; ` +
        `on ${cores} idle cores the pipeline needs at least ${(stackCpu / cores).toFixed(1)} s, the model alone ${(raw.cpuSeconds / cores).toFixed(1)} s`,
    );
  }
  console.log(
    `ratio pipeline / raw: ${(pipelinePerSecond / rawPerSecond).toFixed(2)} (target ≥ 0.6); searchable in ${wallSeconds.toFixed(1)} s (target < 60 s)`,
  );
  console.log(
    `load average now: ${(await import('node:os'))
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
