import { DOMAIN_EVENT_NAMES } from '../domains/domain-events';

/** Every event type a webhook may receive. */
export const WEBHOOK_EVENT_TYPES = [
  'documents.indexed',
  'document.deleted',
  ...DOMAIN_EVENT_NAMES,
  'watch.matched',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The body a receiver gets: the same for every endpoint the event goes to. */
export interface WebhookEvent {
  /** Stable per event: retries of the code that raised it give the same id. */
  id: string;
  type: WebhookEventType;
  workspaceId: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export interface WebhookRecord {
  id: string;
  workspaceId: string;
  url: string;
  /** null: every event type. */
  events: WebhookEventType[] | null;
  createdBy: string | null;
  createdAt: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export { webhookDeliveryWorkflowId } from '../pipeline/workflow-ids';
