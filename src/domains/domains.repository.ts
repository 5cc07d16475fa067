import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { writeAuditEntry, type AuditEntry } from '../auth/audit.service';
import { PostgresStore } from '../stores/postgres/postgres.store';
import type {
  DomainDocumentLink,
  DomainMode,
  DomainRecord,
  DomainStage,
  DomainStatus,
  ReviewRecord,
} from './domain.types';

interface DomainRow {
  id: string;
  workspace_id: string;
  name: string;
  description: string;
  mode: DomainMode;
  status: DomainStatus;
  stage: DomainStage | null;
  seed_topics: string[];
  reviewers: string[];
  created_by: string;
  workflow_id: string;
  overview_key: string | null;
  revision: number;
  error: string | null;
  document_count: number;
  created_at: Date;
  updated_at: Date;
  activated_at: Date | null;
  archived_at: Date | null;
}

export interface NewDomain {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  mode: DomainMode;
  seedTopics: string[];
  reviewers: string[];
  createdBy: string;
  workflowId: string;
}

const COLUMNS = `d.id, d.workspace_id, d.name, d.description, d.mode, d.status, d.stage, d.seed_topics,
  d.reviewers, d.created_by, d.workflow_id, d.overview_key, d.revision, d.error, d.created_at,
  d.updated_at, d.activated_at, d.archived_at,
  (SELECT count(*) FROM domain_documents dd
    WHERE dd.workspace_id = d.workspace_id AND dd.domain_id = d.id)::int AS document_count`;

/** Postgres unique_violation: a live domain of the workspace already has this name. */
export class DuplicateDomainNameError extends Error {}

/** Domain rows, their member documents and review history. Every statement is workspace-scoped. */
@Injectable()
export class DomainsRepository {
  constructor(private readonly postgres: PostgresStore) {}

  /** The domain and its seed documents in one transaction: both or neither. */
  async create(
    domain: NewDomain,
    seeds: DomainDocumentLink[],
    audit?: AuditEntry,
  ): Promise<DomainRecord> {
    try {
      await this.postgres.withWorkspace(domain.workspaceId, async (client) => {
        await client.query(
          `INSERT INTO domains (id, workspace_id, name, description, mode, seed_topics, reviewers,
             created_by, workflow_id, stage)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'research')`,
          [
            domain.id,
            domain.workspaceId,
            domain.name,
            domain.description,
            domain.mode,
            domain.seedTopics,
            domain.reviewers,
            domain.createdBy,
            domain.workflowId,
          ],
        );
        await insertLinks(client, domain.workspaceId, domain.id, seeds);
        if (audit) await writeAuditEntry(client, audit);
      });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateDomainNameError();
      throw error;
    }
    const created = await this.findById(domain.workspaceId, domain.id);
    if (!created) throw new Error(`domain ${domain.id} vanished after insert`);
    return created;
  }

  async findById(workspaceId: string, id: string): Promise<DomainRecord | null> {
    const rows = await this.postgres.queryInWorkspace<DomainRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM domains d WHERE d.workspace_id = $1 AND d.id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(
    workspaceId: string,
    query: { status?: DomainStatus; limit: number; offset: number },
  ): Promise<{ items: DomainRecord[]; total: number }> {
    const rows = await this.postgres.queryInWorkspace<DomainRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM domains d
       WHERE d.workspace_id = $1 AND ($2::text IS NULL OR d.status = $2)
       ORDER BY d.created_at DESC, d.id LIMIT $3 OFFSET $4`,
      [workspaceId, query.status ?? null, query.limit, query.offset],
    );
    const [{ count }] = await this.postgres.queryInWorkspace<{ count: number }>(
      workspaceId,
      `SELECT count(*)::int AS count FROM domains
       WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2)`,
      [workspaceId, query.status ?? null],
    );
    return { items: rows.map(toRecord), total: count };
  }

  /** Members (and why each is there), in the order they joined. */
  async documents(
    workspaceId: string,
    domainId: string,
  ): Promise<(DomainDocumentLink & { title: string; status: string })[]> {
    return this.postgres.queryInWorkspace(
      workspaceId,
      `SELECT dd.document_id AS "documentId", dd.source, dd.reason, doc.title, doc.status
       FROM domain_documents dd
       JOIN documents doc ON doc.workspace_id = dd.workspace_id AND doc.id = dd.document_id
       WHERE dd.workspace_id = $1 AND dd.domain_id = $2
       ORDER BY dd.added_at, dd.document_id`,
      [workspaceId, domainId],
    );
  }

  async documentIds(workspaceId: string, domainId: string): Promise<string[]> {
    const rows = await this.postgres.queryInWorkspace<{ document_id: string }>(
      workspaceId,
      `SELECT document_id FROM domain_documents WHERE workspace_id = $1 AND domain_id = $2`,
      [workspaceId, domainId],
    );
    return rows.map((row) => row.document_id);
  }

  /** Adds members; ones already there keep their first reason. Returns the ids newly added. */
  async addDocuments(
    workspaceId: string,
    domainId: string,
    links: DomainDocumentLink[],
    audit?: AuditEntry,
  ): Promise<string[]> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const added = await insertLinks(client, workspaceId, domainId, links);
      if (audit) await writeAuditEntry(client, audit);
      return added;
    });
  }

  async setStage(workspaceId: string, id: string, stage: DomainStage): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE domains SET stage = $3, updated_at = now()
       WHERE workspace_id = $1 AND id = $2 AND status <> 'archived'`,
      [workspaceId, id, stage],
    );
  }

  /** Moves the domain to a status unless it was archived meanwhile (archive wins). */
  async setStatus(
    workspaceId: string,
    id: string,
    status: DomainStatus,
    extra: { stage?: DomainStage; error?: string | null } = {},
  ): Promise<DomainRecord | null> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE domains SET status = $3, stage = coalesce($4, stage), error = $5, updated_at = now(),
         activated_at = CASE WHEN $3 = 'active' THEN coalesce(activated_at, now()) ELSE activated_at END
       WHERE workspace_id = $1 AND id = $2 AND status <> 'archived'`,
      [workspaceId, id, status, extra.stage ?? null, extra.error ?? null],
    );
    return this.findById(workspaceId, id);
  }

  async setOverview(workspaceId: string, id: string, key: string, revision: number): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE domains SET overview_key = $3, revision = $4, updated_at = now()
       WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id, key, revision],
    );
  }

  /** Idempotent per revision: a retried activity does not record a decision twice. */
  async recordReview(workspaceId: string, domainId: string, review: ReviewRecord): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `INSERT INTO domain_reviews (workspace_id, domain_id, revision, decision, comment, reviewer, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workspace_id, domain_id, revision) DO NOTHING`,
      [
        workspaceId,
        domainId,
        review.revision,
        review.decision,
        review.comment,
        review.reviewer,
        review.decidedAt,
      ],
    );
  }

  async reviews(workspaceId: string, domainId: string): Promise<ReviewRecord[]> {
    const rows = await this.postgres.queryInWorkspace<{
      revision: number;
      decision: ReviewRecord['decision'];
      comment: string;
      reviewer: string;
      decided_at: Date;
    }>(
      workspaceId,
      `SELECT revision, decision, comment, reviewer, decided_at FROM domain_reviews
       WHERE workspace_id = $1 AND domain_id = $2 ORDER BY revision`,
      [workspaceId, domainId],
    );
    return rows.map((row) => ({
      revision: row.revision,
      decision: row.decision,
      comment: row.comment,
      reviewer: row.reviewer,
      decidedAt: row.decided_at.toISOString(),
    }));
  }

  /** Archive: the row stays (history), its memberships go, its name is free again. */
  async archive(workspaceId: string, id: string, audit?: AuditEntry): Promise<DomainRecord | null> {
    await this.postgres.withWorkspace(workspaceId, async (client) => {
      await client.query(
        `UPDATE domains SET status = 'archived', archived_at = coalesce(archived_at, now()),
           updated_at = now() WHERE workspace_id = $1 AND id = $2`,
        [workspaceId, id],
      );
      await client.query(
        `DELETE FROM domain_documents WHERE workspace_id = $1 AND domain_id = $2`,
        [workspaceId, id],
      );
      if (audit) await writeAuditEntry(client, audit);
    });
    return this.findById(workspaceId, id);
  }
}

async function insertLinks(
  client: PoolClient,
  workspaceId: string,
  domainId: string,
  links: DomainDocumentLink[],
): Promise<string[]> {
  if (links.length === 0) return [];
  const result = await client.query<{ document_id: string }>(
    `INSERT INTO domain_documents (workspace_id, domain_id, document_id, source, reason)
     SELECT $1, $2, link.document_id, link.source, link.reason
     FROM unnest($3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY
       AS link(document_id, source, reason, position)
     ORDER BY link.position
     ON CONFLICT (workspace_id, domain_id, document_id) DO NOTHING
     RETURNING document_id`,
    [
      workspaceId,
      domainId,
      links.map((link) => link.documentId),
      links.map((link) => link.source),
      links.map((link) => link.reason),
    ],
  );
  return result.rows.map((row) => row.document_id);
}

function toRecord(row: DomainRow): DomainRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    description: row.description,
    mode: row.mode,
    status: row.status,
    stage: row.stage,
    seedTopics: row.seed_topics,
    reviewers: row.reviewers,
    createdBy: row.created_by,
    workflowId: row.workflow_id,
    overviewKey: row.overview_key,
    revision: row.revision,
    error: row.error,
    documentCount: row.document_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    activatedAt: row.activated_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
  };
}
