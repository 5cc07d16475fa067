// Reading Prometheus text exposition (GET /metrics of the API and the workers) in tests.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Every metric family declared (# TYPE), and every sample name (with _bucket, _sum…). */
  names: Set<string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Scrape {
  const names = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) /.exec(line);
    if (declared) names.add(declared[1]);
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    names.add(match[1]);
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { names, samples };
}

export async function scrape(url: string): Promise<Scrape & { contentType: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return {
    ...parseMetrics(await response.text()),
    contentType: response.headers.get('content-type') ?? '',
  };
}

/** Samples of one name whose labels include the given ones. */
export function samplesOf(scraped: Scrape, name: string, labels: Record<string, string> = {}) {
  return scraped.samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** Sum of the matching samples (0 when none). */
export function total(scraped: Scrape, name: string, labels: Record<string, string> = {}) {
  return samplesOf(scraped, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

/** The test workers' metrics URLs, as infra/cairn.sh test starts them (two ports apart). */
export function testWorkerMetricsUrls(): Record<'general' | 'ai' | 'storage', string> {
  const base = Number(process.env.CAIRN_TEST_WORKER_METRICS_PORT);
  if (!Number.isInteger(base) || base <= 0) {
    throw new Error('CAIRN_TEST_WORKER_METRICS_PORT is not set (infra/env.sh sets it)');
  }
  const url = (port: number) => `http://127.0.0.1:${port}/metrics`;
  return { general: url(base), ai: url(base + 2), storage: url(base + 4) };
}
