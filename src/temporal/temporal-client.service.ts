import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';

const PING_DEADLINE_MS = 2_000;
// Values of temporal.api.enums.v1 TaskQueueKind / TaskQueueType (@temporalio/proto is not a
// direct dependency).
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

export interface TaskQueueStats {
  backlog: number;
  backlogAgeSeconds: number;
  pollers: number;
}

/**
 * The one Temporal client of a process. The connection is lazy: nothing is dialled until the
 * first call, so the API starts even while Temporal is still coming up, and gRPC reconnects on
 * its own after Temporal restarts.
 */
@Injectable()
export class TemporalClientService implements OnModuleDestroy {
  readonly namespace: string;
  private readonly uiBaseUrl: string;
  private connection?: Connection;
  private temporalClient?: Client;

  constructor(@InjectConfig() private readonly config: CairnConfig) {
    this.namespace = config.TEMPORAL_NAMESPACE;
    this.uiBaseUrl = config.TEMPORAL_UI_URL.replace(/\/+$/, '');
  }

  async client(): Promise<Client> {
    if (!this.temporalClient) {
      this.temporalClient = new Client({
        connection: this.getConnection(),
        namespace: this.namespace,
        // Starting a workflow makes a span and hands its context to the workflow in headers, so
        // the workflow and its activities join the trace of the request that started it.
        interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
      });
    }
    return this.temporalClient;
  }

  /** Proves the server answers and Cairn's namespace exists. */
  async ping(): Promise<void> {
    const connection = this.getConnection();
    await connection.withDeadline(Date.now() + PING_DEADLINE_MS, () =>
      connection.workflowService.describeNamespace({ namespace: this.namespace }),
    );
  }

  /**
   * Backlog of one task queue (approximate count and age of the oldest task) and its pollers,
   * from DescribeTaskQueue with stats.
   */
  async taskQueueStats(taskQueue: string, type: 'workflow' | 'activity'): Promise<TaskQueueStats> {
    const connection = this.getConnection();
    const response = await connection.withDeadline(Date.now() + PING_DEADLINE_MS, () =>
      connection.workflowService.describeTaskQueue({
        namespace: this.namespace,
        taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TASK_QUEUE_TYPE[type],
        reportStats: true,
      }),
    );
    const age = response.stats?.approximateBacklogAge;
    return {
      backlog: Number(response.stats?.approximateBacklogCount ?? 0),
      backlogAgeSeconds: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9,
      pollers: response.pollers?.length ?? 0,
    };
  }

  /**
   * The status of a workflow's latest run (`RUNNING`, `COMPLETED`, `TERMINATED`, ...), or
   * undefined when the id has none. With `deadlineMs`, gives up (throws) after that long.
   */
  async workflowStatus(workflowId: string, deadlineMs?: number): Promise<string | undefined> {
    const client = await this.client();
    const describe = () => client.workflow.getHandle(workflowId).describe();
    try {
      const description =
        deadlineMs === undefined
          ? await describe()
          : await client.withDeadline(Date.now() + deadlineMs, describe);
      return description.status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** Link to a workflow's page in the Temporal Web UI (its latest run unless runId is given). */
  workflowUiUrl(workflowId: string, runId?: string): string {
    const base = `${this.uiBaseUrl}/namespaces/${encodeURIComponent(this.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
  }

  async onModuleDestroy(): Promise<void> {
    await this.connection?.close();
  }

  private getConnection(): Connection {
    this.connection ??= Connection.lazy({
      address: this.config.TEMPORAL_ADDRESS,
      connectTimeout: '3s',
      channelArgs: {
        // gRPC's default reconnect backoff grows to 2 minutes; cap it so a restarted Temporal
        // is noticed within seconds.
        'grpc.initial_reconnect_backoff_ms': 500,
        'grpc.max_reconnect_backoff_ms': 2_000,
      },
    });
    return this.connection;
  }
}
