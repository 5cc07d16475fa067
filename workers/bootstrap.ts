import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { loadConfig, type CairnConfig, type TaskQueueName } from '../src/config/config';
import { WorkerModule } from './worker.module';
import { activitiesFor } from './activities';
import { ActivityMetricsInterceptor } from './activity-metrics.interceptor';
import { sdkMetricsPort, startMetricsServer } from './metrics-server';

/**
 * Runs one Temporal worker per task queue in this process, sharing one Nest context (and so one
 * set of store clients). Temporal's runtime stops the workers on SIGINT/SIGTERM; then the clients close.
 */
export async function runWorkers(queues: TaskQueueName[], config: CairnConfig = loadConfig()) {
  await serveMetrics(config);
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error', 'warn'],
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const workers = await Promise.all(
      queues.map((queue) => Worker.create(workerOptions(queue, app, connection, config))),
    );
    console.log(
      JSON.stringify({ level: 'info', msg: 'workers running', queues, pid: process.pid }),
    );
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
  return {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: queue,
    activities: activitiesFor(queue, app),
    interceptors: {
      activity: [(context) => ({ inbound: new ActivityMetricsInterceptor(context) })],
    },
    // The ai queue's work is CPU-bound and partly synchronous: a worker takes only what it can run
    // now and leaves the rest queued in Temporal (for another worker), instead of starting tasks
    // that then starve for CPU and time out on their connections.
    ...(queue === 'ai' ? { maxConcurrentActivityTaskExecutions: 2 } : {}),
    // Workflow code runs on the general queue only; ai and storage run activities.
    ...(queue === 'general' ? { workflowsPath: require.resolve('../workflows') } : {}),
  };
}

/**
 * GET /metrics of this process on CAIRN_WORKER_METRICS_PORT, with the Temporal SDK's metrics
 * (schedule-to-start latency, slots, polls…) from Core's exporter on the next port. The runtime
 * must be installed before the first connection, and only once per process.
 */
async function serveMetrics(config: CairnConfig): Promise<void> {
  const port = config.CAIRN_WORKER_METRICS_PORT;
  if (port === 0) return;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress: `127.0.0.1:${sdkMetricsPort(port)}`,
          useSecondsForDurations: true,
        },
      },
    },
  });
  await startMetricsServer(config.CAIRN_WORKER_METRICS_HOST, port);
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'worker metrics served',
      url: `http://${config.CAIRN_WORKER_METRICS_HOST}:${port}/metrics`,
      pid: process.pid,
    }),
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
  runWorkers(queues ?? config.CAIRN_WORKER_QUEUES, config).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
