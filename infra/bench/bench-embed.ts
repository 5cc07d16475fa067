/**
 * Raw throughput of the local embedding model on a corpus: `npm run bench:embed -- [corpus.json]
 * [--batch-size N] [--threads N | --parallel N] [--sweep]`: one session on this thread with N
 * operator threads, or N one-thread sessions side by side on threads of their own (as the ai
 * worker runs it, one per core by default). The corpus is `[{title, text}]`; each passage is
 * embedded as `title + "\n" + text`, as ingestion does. Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Same settings as the stack (CAIRN_EMBEDDING_MODEL_DIR) without sourcing infra/env.sh first.
import '../../test/support/load-stack-env';
import { DEFAULT_EMBEDDING_BATCH_SIZE } from '../../src/embedding/embedder';
import { timeEmbedding } from './time-embedding';

interface Passage {
  title: string;
  text: string;
}

interface RunResult {
  batchSize: number;
  /** Operator threads of one session on this thread, or 0 with `parallel` sessions. */
  threads: number;
  parallel: number;
  seconds: number;
  /** CPU seconds of the process: on a shared machine, wall time alone says little. */
  cpuSeconds: number;
  passagesPerSecond: number;
  tokensPerSecond: number;
}

const defaultCorpus = resolve(__dirname, '../../../shared/datasets/musique-100/corpus.json');

async function measure(
  texts: string[],
  batchSize: number,
  threads: number,
  parallel = 0,
): Promise<RunResult> {
  const timing = await timeEmbedding(texts, {
    batchSize,
    intraOpThreads: threads,
    parallelPasses: parallel,
  });
  return {
    batchSize,
    threads: parallel > 0 ? 0 : threads,
    parallel,
    seconds: timing.seconds,
    cpuSeconds: timing.cpuSeconds,
    passagesPerSecond: texts.length / timing.seconds,
    tokensPerSecond: timing.tokens / timing.seconds,
  };
}

function format(result: RunResult): string {
  return (
    `batch ${String(result.batchSize).padStart(3)}  ` +
    (result.parallel > 0
      ? `${result.parallel} sessions side by side  `
      : `one session, ${result.threads} threads  `) +
    `wall ${result.seconds.toFixed(2)} s  cpu ${result.cpuSeconds.toFixed(1)} s  ${result.passagesPerSecond.toFixed(1)} passages/s  ` +
    `${Math.round(result.tokensPerSecond)} tokens/s`
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'batch-size': { type: 'string' },
      threads: { type: 'string' },
      parallel: { type: 'string' },
      sweep: { type: 'boolean', default: false },
    },
  });
  const corpusPath = resolve(positionals[0] ?? defaultCorpus);
  const passages = JSON.parse(readFileSync(corpusPath, 'utf8')) as Passage[];
  const texts = passages.map((passage) => `${passage.title}\n${passage.text}`);
  const cores = availableParallelism();
  console.log(`corpus ${corpusPath}: ${texts.length} passages, ${cores} cores`);

  if (values.sweep) {
    const results: RunResult[] = [];
    const settings = [...new Set([1, cores])].map((threads) => ({ threads, parallel: 0 }));
    if (cores > 1) settings.push({ threads: 1, parallel: cores });
    for (const { threads, parallel } of settings) {
      for (const batchSize of [1, 4, 8, 16, 32, 64]) {
        const result = await measure(texts, batchSize, threads, parallel);
        console.log(format(result));
        results.push(result);
      }
    }
    const best = results.reduce((a, b) => (b.passagesPerSecond > a.passagesPerSecond ? b : a));
    console.log(`best: ${format(best)}`);
  } else {
    const batchSize = Number(values['batch-size'] ?? DEFAULT_EMBEDDING_BATCH_SIZE);
    const parallel = values.threads ? 0 : Number(values.parallel ?? cores);
    const threads = Number(values.threads ?? 1);
    const result = await measure(texts, batchSize, threads, parallel);
    console.log(format(result));
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
