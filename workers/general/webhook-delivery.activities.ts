import { ApplicationFailure } from '@temporalio/common';
import type { SecretOpener } from '../../src/common/sealed-secrets';
import {
  RefusedUrlError,
  type OutboundAddressPolicy,
} from '../../src/common/http/outbound-address';
import { postJson } from '../../src/webhooks/signed-post';
import type { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '../../src/webhooks/webhook-signature';

export interface WebhookDeliveryDependencies {
  webhooks: WebhooksRepository;
  /** Opens the workspace's sealed secret; undefined when this worker has no private key. */
  opener: SecretOpener | undefined;
  policy: OutboundAddressPolicy;
  timeoutMs?: number;
}

export interface DeliveryRef {
  workspaceId: string;
  deliveryId: string;
}

/** The non-retryable failure types of a delivery (the workflow stops retrying on these). */
export const UNDELIVERABLE = 'WebhookUndeliverable';

/**
 * One attempt at one delivery: signed now (a fresh timestamp per attempt, with the workspace's
 * current secret), POSTed, its outcome recorded. A non-2xx answer or a network error throws, and
 * the delivery workflow's retry policy tries again with backoff.
 */
export const createWebhookDeliveryActivities = (deps: WebhookDeliveryDependencies) => ({
  async deliverWebhook(
    input: DeliveryRef,
  ): Promise<{ outcome: 'delivered' | 'gone'; statusCode?: number }> {
    const { workspaceId, deliveryId } = input;
    const delivery = await deps.webhooks.pendingDelivery(workspaceId, deliveryId);
    // The endpoint was deleted since: nothing to deliver to.
    if (!delivery) return { outcome: 'gone' };
    if (delivery.status !== 'pending') return { outcome: 'delivered' };
    if (!delivery.sealedSecret || !deps.opener) {
      const reason = deps.opener
        ? 'the workspace has no webhook secret'
        : 'this worker cannot sign: CAIRN_SECRETS_PRIVATE_KEY is not set';
      throw ApplicationFailure.nonRetryable(reason, UNDELIVERABLE);
    }
    const secret = deps.opener.open(delivery.sealedSecret, workspaceId);
    const body = JSON.stringify(delivery.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number;
    try {
      statusCode = await postJson(
        delivery.url,
        body,
        {
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [DELIVERY_HEADER]: deliveryId,
          [EVENT_HEADER]: delivery.eventType,
        },
        deps.policy,
        {
          timeoutMs: deps.timeoutMs ?? 10_000,
          spanAttributes: {
            'cairn.workspace_id': workspaceId,
            'cairn.webhook.delivery_id': deliveryId,
            'cairn.webhook.event': delivery.eventType,
          },
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RefusedUrlError) {
        await deps.webhooks.recordAttempt(workspaceId, deliveryId, {
          status: 'failed',
          error: message,
        });
        throw ApplicationFailure.nonRetryable(message, UNDELIVERABLE);
      }
      await deps.webhooks.recordAttempt(workspaceId, deliveryId, {
        status: 'pending',
        error: message,
      });
      throw error;
    }
    if (statusCode >= 200 && statusCode < 300) {
      await deps.webhooks.recordAttempt(workspaceId, deliveryId, {
        status: 'delivered',
        statusCode,
      });
      return { outcome: 'delivered', statusCode };
    }
    await deps.webhooks.recordAttempt(workspaceId, deliveryId, {
      status: 'pending',
      statusCode,
      error: `answered ${statusCode}`,
    });
    throw ApplicationFailure.retryable(`the receiver answered ${statusCode}`, 'WebhookRefused');
  },

  /** After the last attempt: the delivery is closed as failed, with the last reason. */
  async markWebhookFailed(input: DeliveryRef & { reason: string }): Promise<void> {
    await deps.webhooks.markFailed(input.workspaceId, input.deliveryId, input.reason);
  },
});
