import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { loadConfig, type CairnConfig, type TaskQueueName } from '../src/config/config';
import { createLogger, PinoNestLogger } from '../src/common/logging/logger';
import { stopTracing } from '../src/observability/tracing';
import { WorkerModule } from './worker.module';
import { activitiesFor } from './activities';
import { ActivityMetricsInterceptor } from './activity-metrics.interceptor';
import { markWorkersPolling, sdkMetricsPort, startMetricsServer } from './metrics-server';
import { PinoTemporalLogger, workerObservabilityOptions } from './observability';

/**
 * Runs one Temporal worker per task queue in this process, sharing one Nest context (and so one
 * set of store clients). Temporal's runtime stops the workers on SIGINT/SIGTERM; then the clients close.
 */
export async function runWorkers(
  queues: TaskQueueName[],
  config: CairnConfig = loadConfig(),
  logger: PinoLogger = createLogger(config.LOG_LEVEL, 'worker'),
) {
  // One Runtime per process, installed before the first connection: workflow and activity logs
  // (replay-safe `log`) go through pino, one JSON line each with the ids and the trace; and the
  // SDK's own metrics are exported for this process's /metrics.
  const metricsPort = config.CAIRN_WORKER_METRICS_PORT;
  Runtime.install({
    logger: new PinoTemporalLogger(logger.child({ context: 'Temporal' })),
    ...(metricsPort === 0
      ? {}
      : {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: `127.0.0.1:${sdkMetricsPort(metricsPort)}`,
                useSecondsForDurations: true,
              },
            },
          },
        }),
  });
  await serveMetrics(config, logger);
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    // Nest's own bootstrap chatter stays out; the stores' warnings and errors come through.
    logger: new PinoNestLogger(logger.child({}, { level: atLeastWarn(config.LOG_LEVEL) })),
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const workers = await Promise.all(
      queues.map((queue) => Worker.create(workerOptions(queue, app, connection, config))),
    );
    markWorkersPolling();
    logger.info({ queues }, 'workers running');
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
    await app.close();
  }
}

function workerOptions(
  queue: TaskQueueName,
  app: INestApplicationContext,
  connection: NativeConnection,
  config: CairnConfig,
): WorkerOptions {
  const observability = workerObservabilityOptions(queue);
  return {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: queue,
    activities: activitiesFor(queue, app),
    // The ai queue's work is CPU-bound and partly synchronous: a worker takes only what it can run
    // now and leaves the rest queued in Temporal (for another worker), instead of starting tasks
    // that then starve for CPU and time out on their connections.
    ...(queue === 'ai' ? { maxConcurrentActivityTaskExecutions: 2 } : {}),
    // Workflow code runs on the general queue only; ai and storage run activities.
    ...(queue === 'general' ? { workflowsPath: require.resolve('../workflows') } : {}),
    ...observability,
    interceptors: {
      ...observability.interceptors,
      activity: [
        (context) => ({ inbound: new ActivityMetricsInterceptor(context) }),
        ...(observability.interceptors?.activity ?? []),
      ],
    },
  };
}

function atLeastWarn(level: CairnConfig['LOG_LEVEL']): CairnConfig['LOG_LEVEL'] {
  return ['fatal', 'error', 'silent'].includes(level) ? level : 'warn';
}

/**
 * GET /metrics of this process on CAIRN_WORKER_METRICS_PORT, with the Temporal SDK's metrics
 * (schedule-to-start latency, slots, polls…) from Core's exporter on the next port.
 */
async function serveMetrics(config: CairnConfig, logger: PinoLogger): Promise<void> {
  const port = config.CAIRN_WORKER_METRICS_PORT;
  if (port === 0) return;
  await startMetricsServer(config.CAIRN_WORKER_METRICS_HOST, port);
  logger.info(
    { url: `http://${config.CAIRN_WORKER_METRICS_HOST}:${port}/metrics` },
    'worker metrics served',
  );
}

/** Entry point helper: run the given queues and exit non-zero with a readable message on failure. */
export function main(queues?: TaskQueueName[]): void {
  let config: CairnConfig;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  void runWorkers(queues ?? config.CAIRN_WORKER_QUEUES, config, logger)
    .then(
      () => 0,
      (error: unknown) => {
        logger.error({ err: error }, 'workers failed');
        return 1;
      },
    )
    // The spans of the last activities are exported before the process ends.
    .then(async (code) => {
      await stopTracing();
      process.exit(code);
    });
}
