import type { DomainStage, DomainStatus } from './domain.types';

// Domain notifications on Redis pub/sub, one channel per workspace (subscribe to follow domains).

export const DOMAIN_EVENT_NAMES = [
  'domain.status',
  'domain.reviewed',
  'domain.review_reminder',
  'domain.expired',
  'domain.activated',
  'domain.documents_added',
] as const;
export type DomainEventName = (typeof DOMAIN_EVENT_NAMES)[number];

export interface DomainEvent {
  event: DomainEventName;
  workspaceId: string;
  domainId: string;
  status?: DomainStatus;
  stage?: DomainStage | null;
  detail?: Record<string, unknown>;
  at: string;
}

export function domainEventsChannel(workspaceId: string): string {
  return `cairn:ws:${workspaceId}:domains:events`;
}
