// GET /metrics of the API and of every worker process after a real upload and real searches:
// the metric names and labels operators and the Grafana dashboard rely on are there, and moved.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { apiUrl, callApi } from '../support/api';
import { samplesOf, scrape, testWorkerMetricsUrls, total, type Scrape } from '../support/metrics';

const token = randomUUID().slice(0, 8);
const queues = ['general', 'ai', 'storage'] as const;
type Queue = (typeof queues)[number];

async function scrapeAll(): Promise<{
  api: Scrape & { contentType: string };
  workers: Record<Queue, Scrape>;
}> {
  const urls = testWorkerMetricsUrls();
  const [api, general, ai, storage] = await Promise.all([
    scrape(`${apiUrl}/metrics`),
    scrape(urls.general),
    scrape(urls.ai),
    scrape(urls.storage),
  ]);
  return { api, workers: { general, ai, storage } };
}

async function waitIndexed(documentId: string): Promise<void> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const response = await callApi<{ status?: string; error?: string }>(
      'GET',
      `/documents/${documentId}`,
    );
    if (response.body.status === 'indexed') return;
    if (response.body.status === 'failed') throw new Error(`failed: ${response.body.error}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${documentId}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Metric names a PromQL expression selects: identifiers right before `{` or `[`. */
function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((match) => match[1]);
}

describe('metrics (GET /metrics on the API and on each worker)', () => {
  let before: Awaited<ReturnType<typeof scrapeAll>>;
  let after: Awaited<ReturnType<typeof scrapeAll>>;
  let documentId: string;

  beforeAll(async () => {
    before = await scrapeAll();
    const uploaded = await callApi<{ id: string }>('POST', '/documents', {
      json: {
        title: `Metrics lighthouse ${token}`,
        text: `The Lighthouse of Verran${token} stands on a basalt cape. Keeper Ilse Marrow${token} kept its lamp for forty years and wrote a logbook of every storm.`,
      },
    });
    expect(uploaded.status).toBe(202);
    documentId = uploaded.body.id;
    await waitIndexed(documentId);
    const search = (mode: string) =>
      callApi('POST', '/search', {
        json: { query: `Who kept the lamp of Verran${token}?`, mode },
      });
    // The second hybrid search is answered from the result cache.
    for (const mode of ['hybrid', 'hybrid', 'keyword'])
      expect((await search(mode)).status).toBe(200);
    after = await scrapeAll();
  }, 300_000);

  it('serves Prometheus text on the API without credentials', () => {
    expect(after.api.contentType).toMatch(/^text\/plain;.*\bversion=0\.0\.4/);
  });

  it('counts and times HTTP requests by method, route template and status', () => {
    for (const labels of [
      { method: 'POST', route: '/documents', status: '202' },
      { method: 'GET', route: '/documents/:id', status: '200' },
      { method: 'POST', route: '/search', status: '200' },
    ]) {
      expect(total(after.api, 'cairn_http_requests_total', labels)).toBeGreaterThan(
        total(before.api, 'cairn_http_requests_total', labels),
      );
      expect(
        samplesOf(after.api, 'cairn_http_request_duration_seconds_bucket', labels).length,
      ).toBeGreaterThan(0);
    }
    // Ids never become label values: paths are reported by their template.
    const routes = samplesOf(after.api, 'cairn_http_requests_total').map((s) => s.labels.route);
    expect(routes.filter((route) => route.includes(documentId))).toEqual([]);
  });

  it('reports documents by status, read from Postgres', () => {
    expect(total(after.api, 'cairn_documents', { status: 'indexed' })).toBeGreaterThanOrEqual(1);
    for (const status of ['pending', 'processing', 'indexed', 'failed']) {
      expect(samplesOf(after.api, 'cairn_documents', { status })).toHaveLength(1);
    }
  });

  it('times searches by mode and counts cache hits and misses', () => {
    for (const labels of [
      { mode: 'hybrid', cached: 'false' },
      { mode: 'hybrid', cached: 'true' },
      { mode: 'keyword', cached: 'false' },
    ]) {
      expect(total(after.api, 'cairn_search_duration_seconds_count', labels)).toBeGreaterThan(
        total(before.api, 'cairn_search_duration_seconds_count', labels),
      );
    }
    for (const labels of [
      { cache: 'result', result: 'hit' },
      { cache: 'result', result: 'miss' },
      { cache: 'embedding', result: 'miss' },
    ]) {
      expect(total(after.api, 'cairn_search_cache_requests_total', labels)).toBeGreaterThan(
        total(before.api, 'cairn_search_cache_requests_total', labels),
      );
    }
    // The new query was embedded by the API.
    expect(
      total(after.api, 'cairn_embedding_passages_total', { purpose: 'query' }),
    ).toBeGreaterThan(total(before.api, 'cairn_embedding_passages_total', { purpose: 'query' }));
    expect(total(after.api, 'cairn_embedding_seconds_total', { purpose: 'query' })).toBeGreaterThan(
      0,
    );
  });

  it('reports every dependency up, and the task queues with their backlog and pollers', () => {
    for (const dependency of ['postgres', 'redis', 'temporal', 'neo4j', 'weaviate', 'minio']) {
      expect(samplesOf(after.api, 'cairn_dependency_up', { dependency })).toEqual([
        expect.objectContaining({ value: 1 }),
      ]);
    }
    const taskQueues = [
      { task_queue: 'general', task_type: 'workflow' },
      { task_queue: 'general', task_type: 'activity' },
      { task_queue: 'ai', task_type: 'activity' },
      { task_queue: 'storage', task_type: 'activity' },
    ];
    for (const labels of taskQueues) {
      expect(samplesOf(after.api, 'cairn_temporal_task_queue_backlog', labels)).toHaveLength(1);
      expect(
        samplesOf(after.api, 'cairn_temporal_task_queue_backlog_age_seconds', labels),
      ).toHaveLength(1);
      expect(total(after.api, 'cairn_temporal_task_queue_pollers', labels)).toBeGreaterThan(0);
    }
  });

  it('declares the rate-limit rejection counter', () => {
    expect(after.api.names.has('cairn_rate_limit_rejections_total')).toBe(true);
  });

  it('times each processing stage in the worker process that ran it', () => {
    const stagesByQueue: Record<Queue, string[]> = {
      general: ['notify'],
      ai: ['analyse', 'extract', 'embed'],
      storage: ['graph', 'vectors'],
    };
    for (const queue of queues) {
      for (const stage of stagesByQueue[queue]) {
        const labels = { stage, outcome: 'success' };
        expect({
          queue,
          stage,
          grew:
            total(after.workers[queue], 'cairn_stage_duration_seconds_count', labels) >
            total(before.workers[queue], 'cairn_stage_duration_seconds_count', labels),
        }).toEqual({ queue, stage, grew: true });
      }
    }
    for (const stage of ['analyse', 'extract', 'embed']) {
      expect(total(after.workers.ai, 'cairn_documents_processed_total', { stage })).toBeGreaterThan(
        total(before.workers.ai, 'cairn_documents_processed_total', { stage }),
      );
    }
  });

  it('counts passages embedded for the index and the time it took, on the ai worker', () => {
    const index = { purpose: 'index' };
    expect(total(after.workers.ai, 'cairn_embedding_passages_total', index)).toBeGreaterThan(
      total(before.workers.ai, 'cairn_embedding_passages_total', index),
    );
    expect(total(after.workers.ai, 'cairn_embedding_seconds_total', index)).toBeGreaterThan(
      total(before.workers.ai, 'cairn_embedding_seconds_total', index),
    );
  });

  it("serves the Temporal SDK's own metrics from every worker, schedule-to-start latency included", () => {
    for (const queue of queues) {
      const scraped = after.workers[queue];
      expect({
        queue,
        scheduleToStart:
          total(scraped, 'temporal_activity_schedule_to_start_latency_count', {
            task_queue: queue,
          }) > 0,
      }).toEqual({ queue, scheduleToStart: true });
      expect(
        samplesOf(scraped, 'temporal_activity_schedule_to_start_latency_bucket', {
          task_queue: queue,
        }).length,
      ).toBeGreaterThan(0);
      expect(scraped.names.has('process_cpu_seconds_total')).toBe(true);
    }
    expect(
      total(after.workers.general, 'temporal_workflow_task_schedule_to_start_latency_count', {
        task_queue: 'general',
      }),
    ).toBeGreaterThan(0);
  });

  it('answers GET /ready on every worker once it polls its queue', async () => {
    for (const [queue, url] of Object.entries(testWorkerMetricsUrls())) {
      const ready = await fetch(url.replace(/\/metrics$/, '/ready'));
      expect({ queue, status: ready.status, body: await ready.text() }).toEqual({
        queue,
        status: 200,
        body: 'ready\n',
      });
    }
  });

  it('the Grafana dashboard only queries metrics that the API or the workers export', () => {
    const dashboard = JSON.parse(
      readFileSync(resolve(__dirname, '../../infra/grafana/cairn-dashboard.json'), 'utf8'),
    ) as {
      templating: { list: { type: string; name: string }[] };
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ type: 'datasource', name: 'datasource' }),
    );
    const exported = new Set([
      ...after.api.names,
      ...queues.flatMap((queue) => [...after.workers[queue].names]),
    ]);
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(15);
    const missing: string[] = [];
    for (const panel of panels) {
      const names = (panel.targets ?? []).flatMap((target) => metricNamesIn(target.expr));
      if (names.length === 0) missing.push(`${panel.title}: no metric in its queries`);
      for (const name of names) if (!exported.has(name)) missing.push(`${panel.title}: ${name}`);
    }
    expect(missing).toEqual([]);
  });
});
