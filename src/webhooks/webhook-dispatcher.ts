import { Injectable } from '@nestjs/common';
import { uuidV5 } from '../common/uuid';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import type { deliverWebhookWorkflow } from '../../workflows/deliver-webhook.workflow';
import { WebhooksRepository } from './webhooks.repository';
import { webhookDeliveryWorkflowId, type WebhookEvent } from './webhook.types';

/**
 * Hands an event to every endpoint of its workspace that takes it: one delivery row and one
 * delivery workflow per endpoint. The delivery id derives from the event id and the endpoint,
 * and the workflow id from the delivery id, so an emitter retried by Temporal adds nothing.
 */
@Injectable()
export class WebhookDispatcher {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly workflows: WorkflowGateway,
  ) {}

  async dispatch(event: WebhookEvent): Promise<string[]> {
    const endpoints = await this.webhooks.endpointsFor(event.workspaceId, event.type);
    if (endpoints.length === 0) return [];
    const deliveries = endpoints.map((endpoint) => ({
      id: uuidV5(`webhook-delivery:${event.id}:${endpoint.id}`),
      webhookId: endpoint.id,
    }));
    await this.webhooks.insertDeliveries(event.workspaceId, event, deliveries);
    for (const delivery of deliveries) {
      // One run per delivery, ever: a retried emitter finds it started (or done).
      await this.workflows.start<typeof deliverWebhookWorkflow>('deliverWebhookWorkflow', {
        workflowId: webhookDeliveryWorkflowId(event.workspaceId, delivery.id),
        args: [{ workspaceId: event.workspaceId, deliveryId: delivery.id }],
        labels: { workspaceId: event.workspaceId },
        reusePolicy: 'REJECT_DUPLICATE',
      });
    }
    return deliveries.map((delivery) => delivery.id);
  }
}
