import { Context } from '@temporalio/activity';
import type { WorkflowGateway } from '../../src/temporal/workflow-gateway';
import type { WatchesRepository } from '../../src/watches/watches.repository';
import { watchCheckWorkflowId } from '../../src/watches/watch.types';
import type { checkWatchesWorkflow } from '../../workflows/check-watches.workflow';
import { uuidV5 } from '../../src/common/uuid';
import type { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher';
import type { WebhookEventType } from '../../src/webhooks/webhook.types';

/** Sends an event to the workspace's webhooks, from inside an activity. */
export type EmitWebhookEvent = (
  workspaceId: string,
  type: WebhookEventType,
  data: Record<string, unknown>,
) => Promise<void>;

export const noWebhookEvents: EmitWebhookEvent = async () => undefined;

/**
 * The event id comes from the activity that raises it (workflow, run, activity id and type):
 * each retry of that activity names the same event, so its deliveries are not made twice.
 */
export function activityEventId(type: string): string {
  const { workflowExecution, activityId } = Context.current().info;
  // Always set for the activities of a workflow, the only ones that raise events.
  if (!workflowExecution) throw new Error('events are raised by the activities of a workflow');
  return uuidV5(
    `event:${workflowExecution.workflowId}:${workflowExecution.runId}:${activityId}:${type}`,
  );
}

export function webhookEmitter(dispatcher: WebhookDispatcher): EmitWebhookEvent {
  return async (workspaceId, type, data) => {
    await dispatcher.dispatch({
      id: activityEventId(type),
      type,
      workspaceId,
      createdAt: new Date().toISOString(),
      data,
    });
  };
}

/**
 * Starts the check of newly indexed documents against the workspace's watches, as a workflow of
 * its own (its id from the indexing event, so a retried notification starts it once). A
 * workspace without watches starts nothing.
 */
export function watchCheckStarter(
  watches: Pick<WatchesRepository, 'list'>,
  workflows: WorkflowGateway,
): (input: { workspaceId: string; documentIds: string[] }) => Promise<void> {
  return async (input) => {
    if ((await watches.list(input.workspaceId)).length === 0) return;
    await workflows.start<typeof checkWatchesWorkflow>('checkWatchesWorkflow', {
      workflowId: watchCheckWorkflowId(input.workspaceId, activityEventId('watch-check')),
      args: [input],
      labels: { workspaceId: input.workspaceId },
      reusePolicy: 'REJECT_DUPLICATE',
    });
  };
}
