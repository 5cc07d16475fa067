import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { metricsRegistry } from './observability/metrics';
import { startMetricsListener } from './observability/metrics-listener';

/**
 * Several API processes behind one port (node:cluster): the primary forks them, restarts one
 * that dies, passes SIGTERM/SIGINT on and exits when they have all drained. Connections are
 * dealt round-robin by the primary. Whatever must be shared already lives in Redis (rate
 * budgets, search caches, content versions, the events every stream relays) or in the stores;
 * what stays per process is per process on purpose, as it is per replica in Kubernetes: the
 * search concurrency gate and the event-stream quota bound what one event loop takes on.
 * Metrics are summed over the processes (prom-client's cluster aggregation): GET /metrics on
 * any process asks the primary for the sum.
 */

/** CAIRN_API_PROCESSES: 0 = one per core. */
export function apiProcessCount(configured: number): number {
  return configured === 0 ? availableParallelism() : configured;
}

const METRICS_REQUEST = 'cairn:cluster-metrics';
/** A worker that dies within this long of its start is restarted after a pause, not at once. */
const RESTART_PAUSE_MS = 1_000;

interface MetricsMessage {
  type: typeof METRICS_REQUEST;
  id: number;
  text?: string;
  error?: string;
}

export async function runApiPrimary(
  processes: number,
  logger: Logger,
  metrics: { host: string; port: number },
): Promise<void> {
  const aggregator = new AggregatorRegistry();
  const clusterMetrics = () => aggregator.clusterMetrics();
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: MetricsMessage) => {
      if (message?.type !== METRICS_REQUEST) return;
      clusterMetrics().then(
        (text) => worker.send({ type: METRICS_REQUEST, id: message.id, text }),
        (error: unknown) =>
          worker.send({ type: METRICS_REQUEST, id: message.id, error: String(error) }),
      );
    });
    return worker;
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'API process died; starting another');
    setTimeout(fork, RESTART_PAUSE_MS);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      logger.info({ signal }, 'stopping the API processes');
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      const check = setInterval(() => {
        if (Object.keys(cluster.workers ?? {}).length === 0) {
          clearInterval(check);
          process.exit(0);
        }
      }, 100);
    });
  }
  for (let index = 0; index < processes; index += 1) fork();
  logger.info({ processes }, 'API processes started');
  if (metrics.port > 0) {
    await startMetricsListener(metrics.host, metrics.port, clusterMetrics, aggregator.contentType);
    logger.info(
      { url: `http://${metrics.host}:${metrics.port}/metrics` },
      'metrics of every API process served on their own port',
    );
  }
}

/** In an API process of a cluster: its metrics are summed with the others' by the primary. */
export function joinApiCluster(): void {
  AggregatorRegistry.setRegistries([metricsRegistry]);
  // prom-client answers the primary's requests once an aggregator exists in the process.
  new AggregatorRegistry();
}

let nextRequest = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();

/** The metrics text of this process, or of all of them when it is one of a cluster. */
export function apiMetrics(): Promise<string> {
  if (!cluster.isWorker || process.send === undefined) return metricsRegistry.metrics();
  if (pending.size === 0) process.on('message', onPrimaryMessage);
  const id = (nextRequest += 1);
  return new Promise<string>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    process.send!({ type: METRICS_REQUEST, id } satisfies MetricsMessage);
  });
}

function onPrimaryMessage(message: MetricsMessage): void {
  if (message?.type !== METRICS_REQUEST) return;
  const waiting = pending.get(message.id);
  if (waiting === undefined) return;
  pending.delete(message.id);
  if (pending.size === 0) process.off('message', onPrimaryMessage);
  if (message.error !== undefined) waiting.reject(new Error(message.error));
  else waiting.resolve(message.text ?? '');
}
