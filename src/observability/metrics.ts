import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics that any module may record into. The API
 * serves it at GET /metrics; each worker process serves its own (workers/metrics-server.ts).
 * Gauges that are read from a store at scrape time are registered by their owners
 * (src/observability/api-metrics.service.ts), so this module stays free of store clients.
 */
export const metricsRegistry = new Registry();
// The event-loop delay is sampled every 100 ms, not prom-client's 10: at 10 ms every idle process
// ran its event loop ~200 times a second (strace), about 0.45 CPU s a minute each.
collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 100 });

const registers = [metricsRegistry];
/** Seconds; from a fast cached answer up to the 5 s p95 alert and past it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds; pipeline activities run from milliseconds (bookkeeping) to minutes (big imports). */
const STAGE_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const httpRequestsTotal = new Counter({
  name: 'cairn_http_requests_total',
  help: 'HTTP requests answered by the API, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
});

export const httpRequestDuration = new Histogram({
  name: 'cairn_http_request_duration_seconds',
  help: 'Time from request to response, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const stageDuration = new Histogram({
  name: 'cairn_stage_duration_seconds',
  help: 'Duration of each processing stage (one activity run), by stage, activity and outcome',
  labelNames: ['stage', 'activity', 'outcome'] as const,
  buckets: STAGE_BUCKETS,
  registers,
});

export const searchDuration = new Histogram({
  name: 'cairn_search_duration_seconds',
  help: 'Search latency by requested mode and whether the answer came from the cache',
  labelNames: ['mode', 'cached'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const searchCacheRequests = new Counter({
  name: 'cairn_search_cache_requests_total',
  help: 'Search cache lookups by cache (result, embedding) and result (hit, miss)',
  labelNames: ['cache', 'result'] as const,
  registers,
});

export const passagesEmbedded = new Counter({
  name: 'cairn_embedding_passages_total',
  help: 'Texts embedded by the local model, by purpose (index: chunks, query: search queries)',
  labelNames: ['purpose'] as const,
  registers,
});

export const embeddingSeconds = new Counter({
  name: 'cairn_embedding_seconds_total',
  help: 'Wall-clock seconds spent embedding, by purpose; passages/seconds is the throughput',
  labelNames: ['purpose'] as const,
  registers,
});

export const documentsProcessed = new Counter({
  name: 'cairn_documents_processed_total',
  help: 'Documents handled by pipeline activities of this process, by stage',
  labelNames: ['stage'] as const,
  registers,
});

/** For the rate limiter: `rateLimitRejections.inc({ bucket })` on every 429 it answers. */
export const rateLimitRejections = new Counter({
  name: 'cairn_rate_limit_rejections_total',
  help: 'Requests refused by the rate limiter, by bucket',
  labelNames: ['bucket'] as const,
  registers,
});

/** For the admission guard: requests of each class this API process is serving right now. */
export const admissionInFlight = new Gauge({
  name: 'cairn_admission_in_flight',
  help: 'Requests admitted and not yet answered by this API process, by admission class',
  labelNames: ['class'] as const,
  registers,
});

/** For the admission guard: requests answered 503 because their class was full. */
export const admissionShed = new Counter({
  name: 'cairn_admission_shed_total',
  help: 'Requests shed with 503 because this API process was serving its limit, by class',
  labelNames: ['class'] as const,
  registers,
});

/** Seconds since a start taken with process.hrtime.bigint(). */
export function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}
