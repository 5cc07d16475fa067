import type { DocumentsRepository } from '../../src/documents/documents.repository';
import { documentWorkflowId } from '../../src/documents/document-ids';
import type { DomainsRepository } from '../../src/domains/domains.repository';
import {
  domainEventsChannel,
  type DomainEvent,
  type DomainEventName,
} from '../../src/domains/domain-events';
import type { DomainStage, DomainStatus, ReviewRecord } from '../../src/domains/domain.types';
import type { DocumentStatus } from '../../src/documents/document.types';
import type { EmitWebhookEvent } from './workspace-notifications';

export interface DomainRef {
  workspaceId: string;
  domainId: string;
}

export interface DomainBookkeepingDependencies {
  domains: DomainsRepository;
  documents: DocumentsRepository;
  /** Publishes one message on a Redis channel. */
  publish: (channel: string, message: string) => Promise<unknown>;
  /** Sends an event to the workspace's webhooks (signed, delivered by workflows of their own). */
  emitWebhookEvent: EmitWebhookEvent;
  /** Writes the domain's activation to the audit log, once however often it is retried. */
  auditActivation: (input: DomainRef) => Promise<void>;
  heartbeat: (details?: unknown) => void;
  /** Between two looks at documents another run is processing. */
  pollIntervalMs?: number;
}

/**
 * A domain's status, memberships and review history in Postgres, and its notifications (Redis
 * pub/sub plus the workspace's webhooks). Every write sets values or inserts on conflict do nothing,
 * so Temporal may retry any of them.
 */
export const createDomainBookkeepingActivities = (deps: DomainBookkeepingDependencies) => {
  const publish = async (event: DomainEvent) => {
    await deps.publish(domainEventsChannel(event.workspaceId), JSON.stringify(event));
  };
  return {
    async memberDocumentIds(input: DomainRef): Promise<string[]> {
      return (await deps.domains.documentIds(input.workspaceId, input.domainId)).sort();
    },

    /** Status of the given documents that are (still) members of the domain. */
    async memberDocumentStates(
      input: DomainRef & { documentIds: string[] },
    ): Promise<{ documentId: string; status: DocumentStatus }[]> {
      const members = new Set(await deps.domains.documentIds(input.workspaceId, input.domainId));
      const wanted = input.documentIds.filter((id) => members.has(id));
      const records = await deps.documents.findManyByIds(input.workspaceId, wanted);
      return records
        .map((record) => ({ documentId: record.id, status: record.status }))
        .sort((a, b) => (a.documentId < b.documentId ? -1 : 1));
    },

    /** Failed documents get a fresh run: their rows go back to pending under their own workflow id. */
    async resetDocumentsForRun(input: { workspaceId: string; documentIds: string[] }) {
      for (const documentId of input.documentIds) {
        await deps.documents.resetForRun(
          input.workspaceId,
          [documentId],
          documentWorkflowId(input.workspaceId, documentId),
        );
      }
    },

    /** Waits until documents processed by other runs are indexed or failed (gone counts as failed). */
    async waitForDocuments(input: {
      workspaceId: string;
      documentIds: string[];
    }): Promise<{ indexed: string[]; failed: string[] }> {
      const interval = deps.pollIntervalMs ?? 1_000;
      for (;;) {
        const records = await deps.documents.findManyByIds(input.workspaceId, input.documentIds);
        const byId = new Map(records.map((record) => [record.id, record.status]));
        const open = input.documentIds.filter((id) => {
          const status = byId.get(id);
          return status === 'pending' || status === 'processing';
        });
        deps.heartbeat({ open: open.length });
        if (open.length === 0) {
          return {
            indexed: input.documentIds.filter((id) => byId.get(id) === 'indexed'),
            failed: input.documentIds.filter((id) => byId.get(id) !== 'indexed'),
          };
        }
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    },

    async setDomainStatus(
      input: DomainRef & { status: DomainStatus; stage?: DomainStage; error?: string },
    ): Promise<void> {
      const record = await deps.domains.setStatus(input.workspaceId, input.domainId, input.status, {
        stage: input.stage,
        error: input.error ?? null,
      });
      await publish({
        event: 'domain.status',
        workspaceId: input.workspaceId,
        domainId: input.domainId,
        status: record?.status ?? input.status,
        stage: record?.stage ?? input.stage ?? null,
        at: new Date().toISOString(),
      });
    },

    async recordReview(input: DomainRef & { review: ReviewRecord }): Promise<void> {
      await deps.domains.recordReview(input.workspaceId, input.domainId, input.review);
    },

    /** A Redis event for live listeners and an event for the workspace's webhooks. */
    async notifyDomain(
      input: DomainRef & { event: DomainEventName; detail?: Record<string, unknown> },
    ): Promise<void> {
      const at = new Date().toISOString();
      const event: DomainEvent = { ...input, at };
      if (input.event === 'domain.activated') await deps.auditActivation(input);
      await publish(event);
      await deps.emitWebhookEvent(input.workspaceId, input.event, {
        domainId: input.domainId,
        ...(input.detail ? { detail: input.detail } : {}),
      });
    },
  };
};
