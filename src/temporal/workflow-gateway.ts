import { Injectable } from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type WorkflowIdReusePolicy,
} from '@temporalio/client';
import type {
  Duration,
  QueryDefinition,
  SearchAttributePair,
  UpdateDefinition,
  Workflow,
  WorkflowResultType,
} from '@temporalio/common';
import {
  DocumentIdAttribute,
  DomainIdAttribute,
  StageAttribute,
  WorkspaceIdAttribute,
} from '../pipeline/search-attributes';
import { TASK_QUEUES, type TaskQueue } from '../pipeline/task-queues';
import { TemporalClientService } from './temporal-client.service';

/** What operators filter workflows by in the Temporal UI (workflows/search-attributes.ts). */
export interface WorkflowLabels {
  workspaceId: string;
  documentId?: string;
  domainId?: string;
  /** The first stage shown while the workflow has not reported one of its own yet. */
  stage?: string;
}

export interface StartOptions<W extends Workflow> {
  workflowId: string;
  args: Parameters<W>;
  labels: WorkflowLabels;
  /** Workflow code runs on `general` unless said otherwise. */
  taskQueue?: TaskQueue;
  /** While a run with this id is open: join it (the default) or refuse to start. */
  whileOpen?: 'join' | 'refuse';
  /** After a run with this id closed: whether a new run may take the id (Temporal's default). */
  reusePolicy?: WorkflowIdReusePolicy;
  executionTimeout?: Duration;
}

/**
 * Every start, update, query and stop of a Cairn workflow goes through here, so that the ids'
 * conflict rules, the search attributes and "not found" handling are the same everywhere.
 */
@Injectable()
export class WorkflowGateway {
  constructor(private readonly temporal: TemporalClientService) {}

  /**
   * Starts a run, or joins the open one with the same id (unless `whileOpen: 'refuse'`).
   * Returns false when Temporal refused because a run with this id is open, or (by the reuse
   * policy) has been; other failures throw.
   */
  async start<W extends Workflow>(
    workflowType: string,
    options: StartOptions<W>,
  ): Promise<boolean> {
    const client = await this.temporal.client();
    try {
      await client.workflow.start(workflowType, {
        workflowId: options.workflowId,
        taskQueue: options.taskQueue ?? TASK_QUEUES.general,
        args: options.args as unknown[],
        workflowIdConflictPolicy: options.whileOpen === 'refuse' ? 'FAIL' : 'USE_EXISTING',
        ...(options.reusePolicy ? { workflowIdReusePolicy: options.reusePolicy } : {}),
        ...(options.executionTimeout ? { workflowExecutionTimeout: options.executionTimeout } : {}),
        typedSearchAttributes: searchAttributes(options.labels),
      });
      return true;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw error;
    }
  }

  /** Starts a run and waits for its result (a failed run throws WorkflowFailedError). */
  async execute<W extends Workflow>(
    workflowType: string,
    options: StartOptions<W>,
  ): Promise<WorkflowResultType<W>> {
    await this.start<W>(workflowType, { ...options, whileOpen: 'refuse' });
    const client = await this.temporal.client();
    return client.workflow.getHandle<W>(options.workflowId).result();
  }

  async update<Ret, Arg>(
    workflowId: string,
    definition: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
  ): Promise<Ret> {
    const client = await this.temporal.client();
    return client.workflow.getHandle(workflowId).executeUpdate(definition, { args: [arg] });
  }

  async query<Ret, Args extends unknown[]>(
    workflowId: string,
    definition: QueryDefinition<Ret, Args>,
    ...args: Args
  ): Promise<Ret> {
    const client = await this.temporal.client();
    return client.workflow.getHandle(workflowId).query(definition, ...args);
  }

  /**
   * The status of the id's latest run (`RUNNING`, `COMPLETED`, `TERMINATED`, ...), or undefined
   * when it has none. With `deadlineMs`, gives up (throws) after that long.
   */
  status(workflowId: string, deadlineMs?: number): Promise<string | undefined> {
    return this.temporal.workflowStatus(workflowId, deadlineMs);
  }

  async isRunning(workflowId: string): Promise<boolean> {
    return (await this.status(workflowId)) === 'RUNNING';
  }

  /** Whether the workflow is (or becomes) not running within the time given. */
  async closedWithin(workflowId: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await this.isRunning(workflowId))) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * Cancels the open run, lets it close within `graceMs` (its cancellation handlers clean up),
   * and terminates it if it lingers. No open run: nothing to do. Returns whether it terminated.
   */
  async stop(workflowId: string, reason: string, graceMs: number): Promise<boolean> {
    if (!(await this.isRunning(workflowId))) return false;
    const client = await this.temporal.client();
    const handle = client.workflow.getHandle(workflowId);
    await handle.cancel().catch(ignoreNotFound);
    if (await this.closedWithin(workflowId, graceMs)) return false;
    await handle.terminate(reason).catch(ignoreNotFound);
    return true;
  }

  /** Link to the workflow's page in the Temporal Web UI. */
  uiUrl(workflowId: string): string {
    return this.temporal.workflowUiUrl(workflowId);
  }
}

function searchAttributes(labels: WorkflowLabels): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [{ key: WorkspaceIdAttribute, value: labels.workspaceId }];
  if (labels.documentId !== undefined) {
    pairs.push({ key: DocumentIdAttribute, value: labels.documentId });
  }
  if (labels.domainId !== undefined) pairs.push({ key: DomainIdAttribute, value: labels.domainId });
  if (labels.stage !== undefined) pairs.push({ key: StageAttribute, value: labels.stage });
  return pairs;
}

function ignoreNotFound(error: unknown): void {
  if (!(error instanceof WorkflowNotFoundError)) throw error;
}
