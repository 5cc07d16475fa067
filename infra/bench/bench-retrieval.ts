/**
 * Multi-hop retrieval quality through the API: imports a dataset's corpus (and optionally a corpus of
 * distractors) into a fresh workspace (signed in as the local benchmark user), asks every question
 * of the chosen half through POST /search in each mode, one request at a time, and prints per mode
 * Recall@2/5/10 (HippoRAG's convention: a passage is title + "\n" + text), MRR and the latency
 * p50/p95 seen by the client in the same run, next to a BM25 baseline computed here on the same
 * corpus.
 *
 *   npm run bench:retrieval -- [--dataset <dir>] [--api <url>] [--modes auto,graph,...]
 *                              [--split tune|test|all] [--distractors <dir|corpus.json>]
 *                              [--hops N] [--concurrency N] [--workspace <id> --skip-import]
 *                              [--via imports|documents]
 *
 * --split: questions at an even position of questions.json are the tuning half, odd ones the test
 * half. Every constant of ranking is chosen on the tuning half; the test half is reported.
 * It prints the workspace it used; `npm run bench:search -- --workspace <id>` measures latency there.
 */
import '../../test/support/load-stack-env';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  DEFAULT_DATASET_DIR,
  REPO_ROOT,
  freshWorkspaceId,
  loadCorpusIntoApi,
  loadDataset,
  mapConcurrently,
  parseFlags,
  passageKey,
  postJson,
  useBenchWorkspace,
  type CorpusPassage,
  type DatasetQuestion,
} from './retrieval-dataset';

const MODES = ['vector', 'keyword', 'hybrid', 'graph', 'auto'] as const;
const KS = [2, 5, 10] as const;
const SPLITS = ['tune', 'test', 'all'] as const;
export type Split = (typeof SPLITS)[number];

interface SearchHitLike {
  title: string;
  text: string;
}

// scikit-learn's English stop words (what HippoRAG's BM25 baseline tokeniser removes).
const ENGLISH_STOP_WORDS = new Set(
  (
    'a about above across after afterwards again against all almost alone along already also ' +
    'although always am among amongst amoungst amount an and another any anyhow anyone anything ' +
    'anyway anywhere are around as at back be became because become becomes becoming been before ' +
    'beforehand behind being below beside besides between beyond bill both bottom but by call can ' +
    'cannot cant co con could couldnt cry de describe detail do done down due during each eg eight ' +
    'either eleven else elsewhere empty enough etc even ever every everyone everything everywhere ' +
    'except few fifteen fifty fill find fire first five for former formerly forty found four from ' +
    'front full further get give go had has hasnt have he hence her here hereafter hereby herein ' +
    'hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into ' +
    'is it its itself keep last latter latterly least less ltd made many may me meanwhile might ' +
    'mill mine more moreover most mostly move much must my myself name namely neither never ' +
    'nevertheless next nine no nobody none noone nor not nothing now nowhere of off often on once ' +
    'one only onto or other others otherwise our ours ourselves out over own part per perhaps ' +
    'please put rather re same see seem seemed seeming seems serious several she should show side ' +
    'since sincere six sixty so some somehow someone something sometime sometimes somewhere still ' +
    'such system take ten than that the their them themselves then thence there thereafter thereby ' +
    'therefore therein thereupon these they thick thin third this those though three through ' +
    'throughout thru thus to together too top toward towards twelve twenty two un under until up ' +
    'upon us very via was we well were what whatever when whence whenever where whereafter whereas ' +
    'whereby wherein whereupon wherever whether which while whither who whoever whole whom whose ' +
    'why will with within without would yet you your yours yourself yourselves'
  ).split(' '),
);

export function bm25Tokens(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter(
    (token) => !ENGLISH_STOP_WORDS.has(token),
  );
}

/** Okapi BM25 (k1 0.9, b 0.4) over title + text, Lucene's idf log(1 + (N - df + 0.5)/(df + 0.5)). */
export class Bm25Index {
  private readonly documents: Map<string, number>[];
  private readonly lengths: number[];
  private readonly averageLength: number;
  private readonly documentFrequency = new Map<string, number>();

  constructor(
    texts: string[],
    private readonly k1 = 0.9,
    private readonly b = 0.4,
  ) {
    this.documents = texts.map((text) => {
      const counts = new Map<string, number>();
      for (const token of bm25Tokens(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const token of counts.keys()) {
        this.documentFrequency.set(token, (this.documentFrequency.get(token) ?? 0) + 1);
      }
      return counts;
    });
    this.lengths = this.documents.map((counts) =>
      [...counts.values()].reduce((sum, count) => sum + count, 0),
    );
    this.averageLength = this.lengths.reduce((sum, length) => sum + length, 0) / texts.length;
  }

  /** Document indices, best first. */
  search(query: string, limit: number): number[] {
    const total = this.documents.length;
    const scores = this.documents.map((counts, index) => {
      let score = 0;
      for (const token of bm25Tokens(query)) {
        const frequency = counts.get(token);
        if (frequency === undefined) continue;
        const df = this.documentFrequency.get(token) ?? 0;
        const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[index]) / this.averageLength);
        score += (idf * frequency * (this.k1 + 1)) / (frequency + norm);
      }
      return score;
    });
    return scores
      .map((score, index) => ({ score, index }))
      .sort((x, y) => y.score - x.score)
      .slice(0, limit)
      .map((entry) => entry.index);
  }
}

function goldPassages(question: DatasetQuestion): Set<string> {
  return new Set(
    question.paragraphs
      .filter((paragraph) => paragraph.is_supporting)
      .map((paragraph) => passageKey(paragraph.title, paragraph.paragraph_text)),
  );
}

function recallAt(retrieved: string[], gold: Set<string>, k: number): number {
  if (gold.size === 0) return 0;
  const top = new Set(retrieved.slice(0, k));
  return [...gold].filter((passage) => top.has(passage)).length / gold.size;
}

/** 1 / rank of the first supporting passage retrieved (0 when none is). */
function reciprocalRank(retrieved: string[], gold: Set<string>): number {
  const rank = retrieved.findIndex((passage) => gold.has(passage));
  return rank < 0 ? 0 : 1 / (rank + 1);
}

/** Even positions of the file are the tuning half, odd ones the test half. */
export function questionsOfSplit<T>(questions: readonly T[], split: Split): T[] {
  if (split === 'all') return [...questions];
  const parity = split === 'tune' ? 0 : 1;
  return questions.filter((_, index) => index % 2 === parity);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Scores {
  method: string;
  recall: Record<number, number>;
  mrr: number;
  latenciesMs: number[];
}

function scoreRankings(
  method: string,
  rankings: string[][],
  questions: DatasetQuestion[],
  latenciesMs: number[] = [],
): Scores {
  const recall: Record<number, number> = Object.fromEntries(KS.map((k) => [k, 0]));
  let mrr = 0;
  rankings.forEach((retrieved, index) => {
    const gold = goldPassages(questions[index]);
    for (const k of KS) recall[k] += recallAt(retrieved, gold, k);
    mrr += reciprocalRank(retrieved, gold);
  });
  const count = Math.max(1, questions.length);
  for (const k of KS) recall[k] = (recall[k] / count) * 100;
  return { method, recall, mrr: mrr / count, latenciesMs };
}

/** A corpus file (a JSON array of {title, text}) or a dataset folder holding corpus.json. */
function loadCorpusFile(path: string): CorpusPassage[] {
  const file = existsSync(join(path, 'corpus.json')) ? join(path, 'corpus.json') : path;
  const passages = JSON.parse(readFileSync(file, 'utf8')) as CorpusPassage[];
  if (!Array.isArray(passages) || passages.some((p) => typeof p.title !== 'string')) {
    throw new Error(`${file} is not a JSON array of {title, text}`);
  }
  return passages;
}

/**
 * Search ranks chunks; recall is per passage. A hit maps to its corpus passage by title and by
 * the passage containing the chunk's text, then passages are de-duplicated in rank order.
 */
export function passageMapper(corpus: CorpusPassage[]): (hit: SearchHitLike) => string {
  const byTitle = new Map<string, CorpusPassage[]>();
  for (const passage of corpus) {
    byTitle.set(passage.title, [...(byTitle.get(passage.title) ?? []), passage]);
  }
  return (hit) => {
    const candidates = byTitle.get(hit.title) ?? [];
    const match =
      candidates.length === 1
        ? candidates[0]
        : (candidates.find((passage) => passage.text.includes(hit.text.trim())) ?? candidates[0]);
    return match === undefined ? `?${hit.title}` : passageKey(match.title, match.text);
  };
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const datasetDir = resolve(REPO_ROOT, flags.get('dataset') ?? DEFAULT_DATASET_DIR);
  const apiUrl = (
    flags.get('api') ?? `http://127.0.0.1:${process.env.CAIRN_API_PORT ?? '3000'}`
  ).replace(/\/+$/, '');
  const modes = (flags.get('modes') ?? MODES.join(','))
    .split(',')
    .filter((mode) => mode !== '') as (typeof MODES)[number][];
  const split = (flags.get('split') ?? 'all') as Split;
  if (!SPLITS.includes(split)) throw new Error(`--split must be one of ${SPLITS.join('|')}`);
  // One request at a time by default, so that the latencies are those of concurrency 1.
  const concurrency = Number(flags.get('concurrency') ?? '1');
  // Without --hops, the API's default.
  const hops = flags.get('hops') === undefined ? undefined : Number(flags.get('hops'));
  const dataset = loadDataset(datasetDir);
  const distractorsPath = flags.get('distractors');
  const distractors =
    distractorsPath === undefined ? [] : loadCorpusFile(resolve(REPO_ROOT, distractorsPath));
  const questions = questionsOfSplit(dataset.questions, split);
  console.log(
    `dataset ${datasetDir}: ${dataset.corpus.length} passages` +
      (distractors.length > 0 ? ` + ${distractors.length} distractors (${distractorsPath})` : '') +
      `, ${questions.length} questions (split ${split}); API ${apiUrl}`,
  );

  // A fresh workspace unless one is named (reuse one with --workspace <id> --skip-import).
  const workspaceId = flags.get('workspace') ?? freshWorkspaceId(`bench-${basename(datasetDir)}`);
  if (flags.get('skip-import') === 'true' && !flags.get('workspace')) {
    throw new Error('--skip-import needs --workspace <id> of an earlier run');
  }
  await useBenchWorkspace(apiUrl, workspaceId);
  console.log(`workspace ${workspaceId}`);

  if (flags.get('skip-import') !== 'true') {
    const via = flags.get('via') as 'imports' | 'documents' | undefined;
    let started = Date.now();
    const used = await loadCorpusIntoApi(apiUrl, dataset.corpus, { via });
    console.log(`imported via POST /${used} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (distractors.length > 0) {
      started = Date.now();
      await loadCorpusIntoApi(apiUrl, distractors, { via });
      console.log(`distractors imported in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }

  // Distractors are part of the corpus for BM25 and for mapping hits back to passages.
  const corpus = [...dataset.corpus, ...distractors];
  const rows: Scores[] = [];
  const bm25 = new Bm25Index(corpus.map((passage) => `${passage.title} ${passage.text}`));
  rows.push(
    scoreRankings(
      'BM25 (this script)',
      questions.map((question) =>
        bm25
          .search(question.question, Math.max(...KS))
          .map((index) => passageKey(corpus[index].title, corpus[index].text)),
      ),
      questions,
    ),
  );

  const toPassage = passageMapper(corpus);
  for (const mode of modes) {
    const started = Date.now();
    const latenciesMs: number[] = [];
    let retried = 0;
    const rankings = await mapConcurrently(questions, concurrency, async (question) => {
      let response: { status: number; body: { hits: SearchHitLike[] } };
      for (let attempt = 1; ; attempt += 1) {
        const sent = performance.now();
        // Computed answers, not cached ones: the figures must reflect the running code.
        response = await postJson<{ hits: SearchHitLike[] }>(
          `${apiUrl}/search`,
          { query: question.question, mode, hops, limit: 20 },
          { 'cache-control': 'no-cache' },
        );
        // A busy store answers 503 (Retry-After): asked again, and only the answer is timed.
        if (response.status !== 503 || attempt === 5) {
          latenciesMs.push(performance.now() - sent);
          break;
        }
        retried += 1;
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 1_000));
      }
      if (response.status !== 200) {
        throw new Error(
          `POST /search (${mode}) → ${response.status}: ${JSON.stringify(response.body)}`,
        );
      }
      return distinct(response.body.hits.map(toPassage));
    });
    rows.push(scoreRankings(`POST /search mode=${mode}`, rankings, questions, latenciesMs));
    process.stderr.write(
      `  ${mode}: ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (retried > 0 ? `, ${retried} answers 503 asked again` : '') +
        '\n',
    );
  }

  console.log(
    `\nsplit ${split} (${questions.length} questions), concurrency ${concurrency}, ${new Date().toISOString()}`,
  );
  console.log(
    `| method | R@2 | R@5 | R@10 | MRR | p50 ms | p95 ms |\n|---|---|---|---|---|---|---|`,
  );
  for (const row of rows) {
    const latency = (p: number) =>
      row.latenciesMs.length === 0 ? '–' : percentile(row.latenciesMs, p).toFixed(1);
    console.log(
      `| ${row.method} | ${KS.map((k) => row.recall[k].toFixed(1)).join(' | ')} | ` +
        `${row.mrr.toFixed(3)} | ${latency(50)} | ${latency(95)} |`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
