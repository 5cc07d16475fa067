import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { withTimeout } from '../common/timeout';
import { DOCUMENT_STATUSES } from '../documents/document.types';
import { DEPENDENCIES, HealthService } from '../health/health.service';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { TemporalClientService, type TaskQueueStats } from '../temporal/temporal-client.service';
import { metricsRegistry } from './metrics';

const COLLECT_TIMEOUT_MS = 3_000;
/** Workflow tasks go to general only; activity tasks to every queue. */
const TASK_QUEUES = [
  { taskQueue: 'general', type: 'workflow' },
  { taskQueue: 'general', type: 'activity' },
  { taskQueue: 'ai', type: 'activity' },
  { taskQueue: 'storage', type: 'activity' },
] as const;

/**
 * Gauges the API reads from its dependencies when Prometheus scrapes: documents by status
 * (Postgres, over all workspaces), each dependency's health, and the Temporal task queues'
 * backlog. A failed read leaves the gauge empty for that scrape rather than failing it.
 */
@Injectable()
export class ApiMetricsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApiMetricsService.name);
  private readonly names: string[] = [];
  private taskQueueRound?: Promise<
    { taskQueue: string; type: 'workflow' | 'activity'; stats: TaskQueueStats }[]
  >;

  constructor(
    private readonly postgres: PostgresStore,
    private readonly health: HealthService,
    private readonly temporal: TemporalClientService,
  ) {}

  onModuleInit(): void {
    const documents: Gauge = this.gauge(
      'cairn_documents',
      'Documents by status, all workspaces',
      ['status'],
      () =>
        this.collectSafely('documents', [documents], async () => {
          const rows = await this.postgres.queryAcrossWorkspaces<{ status: string; count: string }>(
            'SELECT status, count(*)::text AS count FROM documents GROUP BY status',
          );
          // No metrics role configured (DATABASE_METRICS_URL): the gauge stays empty.
          if (rows === null) return;
          const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
          for (const status of new Set([...DOCUMENT_STATUSES, ...counts.keys()])) {
            documents.set({ status }, counts.get(status) ?? 0);
          }
        }),
    );
    const dependencyUp: Gauge = this.gauge(
      'cairn_dependency_up',
      '1 when the dependency answered the readiness check of this scrape, else 0',
      ['dependency'],
      () =>
        this.collectSafely('dependencies', [dependencyUp], async () => {
          const report = await this.health.readiness();
          for (const dependency of DEPENDENCIES) {
            dependencyUp.set({ dependency }, report.checks[dependency].status === 'ok' ? 1 : 0);
          }
        }),
    );
    this.taskQueueGauge(
      'cairn_temporal_task_queue_backlog',
      'Approximate number of tasks waiting in a Temporal task queue',
      (stats) => stats.backlog,
    );
    this.taskQueueGauge(
      'cairn_temporal_task_queue_backlog_age_seconds',
      'Age of the oldest waiting task: how long the next task has waited to start',
      (stats) => stats.backlogAgeSeconds,
    );
    this.taskQueueGauge(
      'cairn_temporal_task_queue_pollers',
      'Workers that polled the task queue recently',
      (stats) => stats.pollers,
    );
  }

  /** A gauge per task queue and task type, all fed by one DescribeTaskQueue round per scrape. */
  private taskQueueGauge(name: string, help: string, value: (stats: TaskQueueStats) => number) {
    const gauge: Gauge = this.gauge(name, help, ['task_queue', 'task_type'], () =>
      this.collectSafely(name, [gauge], async () => {
        for (const { taskQueue, type, stats } of await this.describeTaskQueues()) {
          gauge.set({ task_queue: taskQueue, task_type: type }, value(stats));
        }
      }),
    );
  }

  /** The gauges of one scrape are collected together: they share the round in flight. */
  private describeTaskQueues() {
    this.taskQueueRound ??= Promise.all(
      TASK_QUEUES.map(async ({ taskQueue, type }) => ({
        taskQueue,
        type,
        stats: await this.temporal.taskQueueStats(taskQueue, type),
      })),
    ).finally(() => {
      this.taskQueueRound = undefined;
    });
    return this.taskQueueRound;
  }

  onModuleDestroy(): void {
    for (const name of this.names) metricsRegistry.removeSingleMetric(name);
  }

  private gauge(
    name: string,
    help: string,
    labelNames: string[],
    collect?: () => Promise<void>,
  ): Gauge {
    // An app built twice in one process (tests) replaces the first app's gauges.
    metricsRegistry.removeSingleMetric(name);
    const gauge = new Gauge({ name, help, labelNames, registers: [metricsRegistry], collect });
    this.names.push(name);
    return gauge;
  }

  private async collectSafely(what: string, gauges: Gauge[], read: () => Promise<void>) {
    for (const gauge of gauges) gauge.reset();
    try {
      await withTimeout(read(), COLLECT_TIMEOUT_MS, `metrics: ${what}`);
    } catch (error) {
      for (const gauge of gauges) gauge.reset();
      this.logger.warn(`could not collect ${what} metrics: ${String(error)}`);
    }
  }
}
