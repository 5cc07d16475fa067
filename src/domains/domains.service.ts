import { Injectable, Logger } from '@nestjs/common';
import { conflict, forbidden, invalidInput, notFound } from '../common/errors/cairn-error';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createHash, randomUUID } from 'node:crypto';
import type { AuditContext } from '../auth/audit-context';
import { writeAuditEntry } from '../auth/audit.service';
import { AuthRepository } from '../auth/auth.repository';
import type { Principal } from '../auth/principal';
import { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DocumentsRepository } from '../documents/documents.repository';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { S3BlobStore } from '../stores/s3/s3-blob.store';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import type { addDomainDocumentsWorkflow } from '../../workflows/add-domain-documents.workflow';
import type {
  DomainBootstrapInput,
  domainBootstrapWorkflow,
} from '../../workflows/domain-bootstrap.workflow';
import {
  domainStateQuery,
  REVIEW_NOT_PENDING,
  REVIEWER_NOT_ALLOWED,
  reviewUpdate,
} from '../pipeline/domain-messages';
import { domainDocumentsWorkflowId, domainWorkflowId } from '../pipeline/workflow-ids';
import { DomainGraphRepository } from './domain-graph.repository';
import type {
  DomainDocumentLink,
  DomainOverview,
  DomainRecord,
  DomainWorkflowState,
  ReviewOutcome,
  ReviewRecord,
} from './domain.types';
import { DomainsRepository, DuplicateDomainNameError } from './domains.repository';
import type {
  AddDomainDocumentsInput,
  CreateDomainInput,
  ListDomainsQuery,
  ReviewDomainInput,
} from './domains.schema';

// How long DELETE waits for a cancelled bootstrap to close before terminating it.
const CANCEL_GRACE_MS = 5_000;

export interface DomainDto extends DomainRecord {
  temporalUiUrl: string;
}

export interface DomainDetailDto extends DomainDto {
  documents: (DomainDocumentLink & { title: string; status: string })[];
  reviews: ReviewRecord[];
  /** The bootstrap workflow's own view (stage, draft, pending review, decisions); null once it is gone. */
  workflow: DomainWorkflowState | null;
}

/**
 * Knowledge domains: creation starts the bootstrap workflow; review decisions are Temporal
 * Updates on it; archive takes the domain apart and keeps its documents. Every store call is
 * scoped by the workspace; nothing is stored for a request that fails validation.
 */
@Injectable()
export class DomainsService {
  private readonly logger = new Logger(DomainsService.name);

  constructor(
    @InjectConfig() private readonly config: CairnConfig,
    private readonly domains: DomainsRepository,
    private readonly documents: DocumentsRepository,
    private readonly graph: DomainGraphRepository,
    private readonly blobs: S3BlobStore,
    private readonly workflows: WorkflowGateway,
    private readonly members: AuthRepository,
    private readonly postgres: PostgresStore,
  ) {}

  async create(
    audit: AuditContext,
    principal: Principal,
    input: CreateDomainInput,
  ): Promise<{ domain: DomainDto; workflowId: string; temporalUiUrl: string }> {
    const workspaceId = audit.workspaceId;
    const seedIds = [...new Set(input.seedDocumentIds)];
    await this.requireDocuments(workspaceId, seedIds, 'seedDocumentIds');
    await this.requireMembers(workspaceId, input.reviewers);
    const reminderMs =
      (input.review?.reminderSeconds ?? 0) * 1_000 || this.config.CAIRN_DOMAIN_REVIEW_REMINDER;
    const timeoutMs =
      (input.review?.timeoutSeconds ?? 0) * 1_000 || this.config.CAIRN_DOMAIN_REVIEW_TIMEOUT;

    const id = randomUUID();
    const workflowId = domainWorkflowId(workspaceId, id);
    let record: DomainRecord;
    try {
      record = await this.domains.create(
        {
          id,
          workspaceId,
          name: input.name,
          description: input.description,
          mode: input.mode,
          seedTopics: input.seedTopics,
          reviewers: input.reviewers,
          createdBy: principal.userId,
          workflowId,
        },
        seedIds.map((documentId) => ({
          documentId,
          source: 'seed',
          reason: 'Named as a seed document when the domain was created.',
        })),
        {
          ...audit,
          action: 'domain.created',
          targetType: 'domain',
          targetId: id,
          details: { name: input.name, mode: input.mode },
        },
      );
    } catch (error) {
      if (error instanceof DuplicateDomainNameError) {
        throw conflict(`A domain named "${input.name}" already exists in this workspace.`);
      }
      throw error;
    }

    const args: DomainBootstrapInput = {
      workspaceId,
      domainId: id,
      mode: input.mode,
      seedDocumentIds: seedIds,
      seedTopics: input.seedTopics,
      reviewers: input.reviewers,
      reviewReminderMs: reminderMs,
      reviewTimeoutMs: timeoutMs,
    };
    try {
      await this.workflows.start<typeof domainBootstrapWorkflow>('domainBootstrapWorkflow', {
        workflowId,
        args: [args],
        labels: { workspaceId, domainId: id, stage: 'research' },
      });
    } catch (error) {
      // Without its workflow the row would sit in bootstrapping forever: take it back.
      await this.domains.archive(workspaceId, id).catch(() => undefined);
      throw error;
    }
    const temporalUiUrl = this.workflows.uiUrl(workflowId);
    return { domain: this.toDto(record), workflowId, temporalUiUrl };
  }

  async list(
    workspaceId: string,
    query: ListDomainsQuery,
  ): Promise<{ items: DomainDto[]; total: number; limit: number; offset: number }> {
    const { items, total } = await this.domains.list(workspaceId, query);
    return {
      items: items.map((record) => this.toDto(record)),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(workspaceId: string, id: string): Promise<DomainDetailDto> {
    const record = await this.require(workspaceId, id);
    const [documents, reviews, workflow] = await Promise.all([
      this.domains.documents(workspaceId, id),
      this.domains.reviews(workspaceId, id),
      this.queryWorkflow(record.workflowId),
    ]);
    return { ...this.toDto(record), documents, reviews, workflow };
  }

  async overview(workspaceId: string, id: string): Promise<DomainOverview> {
    const record = await this.require(workspaceId, id);
    if (!record.overviewKey) {
      throw notFound(
        `Domain ${id} has no overview yet (status ${record.status}, stage ${record.stage ?? 'none'}).`,
      );
    }
    const bytes = await this.blobs.get(record.overviewKey);
    return JSON.parse(bytes.toString('utf8')) as DomainOverview;
  }

  async review(
    audit: AuditContext,
    principal: Principal,
    id: string,
    input: ReviewDomainInput,
  ): Promise<ReviewOutcome> {
    const workspaceId = audit.workspaceId;
    const record = await this.require(workspaceId, id);
    if (record.status !== 'awaiting_review') {
      throw conflict(`Domain ${id} is not waiting for a review (status ${record.status}).`);
    }
    try {
      // The decision is the workflow's (an update); its entry is written first in a transaction
      // that commits only once the update is accepted, and rolls back if it is refused.
      return await this.postgres.withWorkspace(workspaceId, async (client) => {
        await writeAuditEntry(client, {
          ...audit,
          action: 'domain.reviewed',
          targetType: 'domain',
          targetId: id,
          details: { decision: input.decision, comment: input.comment },
        });
        return this.workflows.update(record.workflowId, reviewUpdate, {
          decision: input.decision,
          comment: input.comment,
          reviewer: { userId: principal.userId, role: principal.role },
        });
      });
    } catch (error) {
      const failure = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
      if (failure instanceof ApplicationFailure && failure.type === REVIEW_NOT_PENDING) {
        throw conflict(failure.message);
      }
      if (failure instanceof ApplicationFailure && failure.type === REVIEWER_NOT_ALLOWED) {
        throw forbidden(failure.message);
      }
      if (error instanceof WorkflowNotFoundError) {
        throw conflict(`Domain ${id} is not waiting for a review any more.`);
      }
      throw error;
    }
  }

  async addDocuments(
    audit: AuditContext,
    id: string,
    input: AddDomainDocumentsInput,
  ): Promise<{ domainId: string; added: string[]; workflowId: string; temporalUiUrl: string }> {
    const workspaceId = audit.workspaceId;
    const record = await this.require(workspaceId, id);
    if (record.status === 'archived') throw conflict(`Domain ${id} is archived.`);
    const ids = [...new Set(input.documentIds)].sort();
    await this.requireDocuments(workspaceId, ids, 'documentIds');
    const added = await this.domains.addDocuments(
      workspaceId,
      id,
      ids.map((documentId) => ({
        documentId,
        source: 'added',
        reason: input.reason || 'Added to the domain by a member of the workspace.',
      })),
      {
        ...audit,
        action: 'domain.documents_added',
        targetType: 'domain',
        targetId: id,
        details: { documentIds: input.documentIds },
      },
    );
    const batch = createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 24);
    const workflowId = domainDocumentsWorkflowId(workspaceId, id, batch);
    // The same set added again while its run is going joins that run; later it runs again.
    await this.workflows.start<typeof addDomainDocumentsWorkflow>('addDomainDocumentsWorkflow', {
      workflowId,
      args: [{ workspaceId, domainId: id, documentIds: ids }],
      labels: { workspaceId, domainId: id, stage: 'content' },
    });
    return {
      domainId: id,
      added: added.sort(),
      workflowId,
      temporalUiUrl: this.workflows.uiUrl(workflowId),
    };
  }

  /** Archive: stop the bootstrap, drop memberships and the graph node; documents stay. */
  async archive(audit: AuditContext, id: string): Promise<DomainDto> {
    const workspaceId = audit.workspaceId;
    const record = await this.require(workspaceId, id);
    if (record.status !== 'archived') await this.stopWorkflow(record.workflowId);
    const archived = await this.domains.archive(workspaceId, id, {
      ...audit,
      action: 'domain.archived',
      targetType: 'domain',
      targetId: id,
    });
    await this.graph.removeDomain(workspaceId, id);
    if (!archived) throw notFound(`Domain ${id} not found.`);
    return this.toDto(archived);
  }

  private async queryWorkflow(workflowId: string): Promise<DomainWorkflowState | null> {
    try {
      return await this.workflows.query(workflowId, domainStateQuery);
    } catch (error) {
      // A workflow removed by retention, or not started yet: Postgres still answers.
      this.logger.debug(`state query of ${workflowId} failed: ${String(error)}`);
      return null;
    }
  }

  private async stopWorkflow(workflowId: string): Promise<void> {
    await this.workflows.stop(workflowId, 'domain archived', CANCEL_GRACE_MS);
  }

  private async requireDocuments(workspaceId: string, ids: string[], field: string) {
    if (ids.length === 0) return;
    const found = await this.documents.findManyByIds(workspaceId, ids);
    const usable = new Set(found.filter((doc) => doc.status !== 'deleting').map((doc) => doc.id));
    const missing = ids.filter((documentId) => !usable.has(documentId));
    if (missing.length > 0) {
      throw notFound(`${field}: no such document in this workspace: ${missing.join(', ')}`);
    }
  }

  /** Reviewers are members of the workspace, named by user id (GET /workspaces/:id/members). */
  private async requireMembers(workspaceId: string, userIds: string[]) {
    const members = new Set(await this.members.memberIdsAmong(workspaceId, userIds));
    const strangers = userIds.filter((userId) => !members.has(userId));
    if (strangers.length > 0) {
      throw invalidInput(`reviewers: not a member of this workspace: ${strangers.join(', ')}`);
    }
  }

  private async require(workspaceId: string, id: string): Promise<DomainRecord> {
    const record = await this.domains.findById(workspaceId, id);
    if (!record) throw notFound(`Domain ${id} not found.`);
    return record;
  }

  private toDto(record: DomainRecord): DomainDto {
    return { ...record, temporalUiUrl: this.workflows.uiUrl(record.workflowId) };
  }
}
