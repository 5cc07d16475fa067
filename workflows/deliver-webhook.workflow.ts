import { proxyActivities } from '@temporalio/workflow';
import type { createWebhookDeliveryActivities } from '../workers/general/webhook-delivery.activities';
import { failureReason } from './failure-reason';
import { TASK_QUEUES } from '../src/pipeline/task-queues';

type DeliveryActivities = ReturnType<typeof createWebhookDeliveryActivities>;

/**
 * Attempts back off from 2 s, doubling up to 10 minutes apart, 15 attempts in all (about an hour
 * and a quarter): a receiver that is down for a deploy still gets the event.
 */
const { deliverWebhook } = proxyActivities<DeliveryActivities>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    maximumAttempts: 15,
    nonRetryableErrorTypes: ['WebhookUndeliverable'],
  },
});

const { markWebhookFailed } = proxyActivities<DeliveryActivities>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 20, maximumInterval: '30s' },
});

export interface DeliverWebhookInput {
  workspaceId: string;
  deliveryId: string;
}

export interface DeliverWebhookResult {
  outcome: 'delivered' | 'gone' | 'failed';
  statusCode?: number;
  reason?: string;
}

/** Delivers one event to one endpoint (see WebhookDispatcher): durable, retried with backoff. */
export async function deliverWebhookWorkflow(
  input: DeliverWebhookInput,
): Promise<DeliverWebhookResult> {
  try {
    return await deliverWebhook(input);
  } catch (error) {
    const reason = failureReason(error);
    await markWebhookFailed({ ...input, reason });
    return { outcome: 'failed', reason };
  }
}
