import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { writeAuditEntry, type AuditEntry } from '../auth/audit.service';
import { PostgresStore } from '../stores/postgres/postgres.store';
import type {
  DocumentCounts,
  DocumentRecord,
  DocumentStage,
  DocumentStatus,
} from './document.types';

interface DocumentRow {
  id: string;
  workspace_id: string;
  sha256: string;
  title: string;
  mime: string;
  size_bytes: string;
  status: DocumentStatus;
  stage: DocumentRecord['stage'];
  error: string | null;
  workflow_id: string | null;
  counts: DocumentCounts;
  stage_timings: DocumentRecord['stageTimings'];
  language: string | null;
  source_key: string | null;
  source_document_id: string | null;
  version: number | null;
  is_current: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface NewDocument {
  id: string;
  workspaceId: string;
  sha256: string;
  title: string;
  mime: string;
  sizeBytes: number;
  workflowId: string;
}

const COLUMNS = `id, workspace_id, sha256, title, mime, size_bytes, status, stage, error, workflow_id,
  counts, stage_timings, language, source_key, source_document_id, version, is_current, created_at,
  updated_at`;

/** A new version of a source: its row, and the version number it gets. */
export interface NewVersion extends NewDocument {
  sourceKey: string;
  sourceDocumentId: string;
}

/** What an upload under a source key did. */
export type VersionOutcome =
  /** The current version has these bytes: nothing changes. */
  | { kind: 'unchanged'; record: DocumentRecord }
  /** A version with these bytes is being indexed already. */
  | { kind: 'in-flight'; record: DocumentRecord }
  /** Another version is in flight (indexing, or being withdrawn), or the document is being deleted. */
  | { kind: 'busy'; record: DocumentRecord }
  /** A new version; `droppedSha256` names a failed version it took the place of. */
  | { kind: 'created'; record: DocumentRecord; droppedSha256?: string };

/** One version of a source, as GET /documents/:id/versions lists it. */
export interface VersionRecord {
  version: number;
  versionId: string;
  sha256: string;
  title: string;
  mime: string;
  sizeBytes: number;
  /** The row's status while it exists; `replaced` once withdrawn, `dropped` when a failed version gave way. */
  status: DocumentStatus | 'replaced' | 'dropped';
  current: boolean;
  error: string | null;
  createdAt: string;
  currentFrom: string | null;
  replacedAt: string | null;
}

/** Unsourced rows, and the current version of each source: what lists show. */
const LISTED = '(source_key IS NULL OR is_current)';

/** Document rows in Postgres. Every statement is parametrised and scoped to one workspace. */
@Injectable()
export class DocumentsRepository {
  constructor(private readonly postgres: PostgresStore) {}

  /**
   * Inserts the row unless the workspace already has these bytes; says which happened.
   * ON CONFLICT names no constraint on purpose: the id derives from (workspace, sha256), so a
   * racing insert of the same bytes can clash on the primary key as well as on the
   * (workspace_id, sha256) key, and only a clash on a named arbiter is skipped; any other
   * would surface as a unique violation.
   */
  async insertIfAbsent(
    document: NewDocument,
    audit?: AuditEntry,
    /** Runs in the insert's transaction when the row was created (e.g. an attachment's link). */
    whenCreated?: (client: PoolClient) => Promise<void>,
  ): Promise<{ record: DocumentRecord; created: boolean }> {
    return this.postgres.withWorkspace(document.workspaceId, async (client) => {
      const inserted = await client.query<DocumentRow>(
        `INSERT INTO documents (id, workspace_id, sha256, title, mime, size_bytes, workflow_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING
         RETURNING ${COLUMNS}`,
        [
          document.id,
          document.workspaceId,
          document.sha256,
          document.title,
          document.mime,
          document.sizeBytes,
          document.workflowId,
        ],
      );
      let outcome: { record: DocumentRecord; created: boolean };
      if (inserted.rows[0]) {
        outcome = { record: toRecord(inserted.rows[0]), created: true };
        if (whenCreated) await whenCreated(client);
      } else {
        const existing = await client.query<DocumentRow>(
          `SELECT ${COLUMNS} FROM documents
           WHERE workspace_id = $1 AND sha256 = $2 AND source_key IS NULL`,
          [document.workspaceId, document.sha256],
        );
        if (!existing.rows[0])
          throw new Error(`document ${document.sha256} vanished during insert`);
        outcome = { record: toRecord(existing.rows[0]), created: false };
      }
      if (audit) await writeAuditEntry(client, audit);
      return outcome;
    });
  }

  /**
   * insertIfAbsent for many documents of one workspace in one transaction (a bulk import's
   * window): what each content hash's row is now, and whether this call created it.
   */
  async insertManyIfAbsent(
    workspaceId: string,
    documents: Omit<NewDocument, 'workspaceId'>[],
  ): Promise<
    Map<string, { id: string; workflowId: string | null; status: DocumentStatus; created: boolean }>
  > {
    const bySha = new Map(documents.map((document) => [document.sha256, document]));
    const unique = [...bySha.values()];
    if (unique.length === 0) return new Map();
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      // Rows go in by id, one order for every caller: imports that share documents then wait
      // for each other in turn instead of each holding a row the other needs (a deadlock).
      // No named conflict target, for the reason given at insertIfAbsent.
      const inserted = await client.query<{ sha256: string }>(
        `INSERT INTO documents (id, workspace_id, sha256, title, mime, size_bytes, workflow_id)
         SELECT id, $1, sha256, title, mime, size_bytes, workflow_id
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
           AS new (id, sha256, title, mime, size_bytes, workflow_id)
         ORDER BY id
         ON CONFLICT DO NOTHING
         RETURNING sha256`,
        [
          workspaceId,
          unique.map((document) => document.id),
          unique.map((document) => document.sha256),
          unique.map((document) => document.title),
          unique.map((document) => document.mime),
          unique.map((document) => document.sizeBytes),
          unique.map((document) => document.workflowId),
        ],
      );
      const created = new Set(inserted.rows.map((row) => row.sha256));
      const rows = await client.query<{
        id: string;
        sha256: string;
        workflow_id: string | null;
        status: DocumentStatus;
      }>(
        `SELECT id, sha256, workflow_id, status FROM documents
         WHERE workspace_id = $1 AND sha256 = ANY($2::text[]) AND source_key IS NULL`,
        [workspaceId, [...bySha.keys()]],
      );
      return new Map(
        rows.rows.map((row) => [
          row.sha256,
          {
            id: row.id,
            workflowId: row.workflow_id,
            status: row.status,
            created: created.has(row.sha256),
          },
        ]),
      );
    });
  }

  async findById(workspaceId: string, id: string): Promise<DocumentRecord | null> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM documents WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findManyByIds(workspaceId: string, ids: string[]): Promise<DocumentRecord[]> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM documents WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
      [workspaceId, ids],
    );
    return rows.map(toRecord);
  }

  async findBySha(workspaceId: string, sha256: string): Promise<DocumentRecord | null> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM documents
       WHERE workspace_id = $1 AND sha256 = $2 AND source_key IS NULL`,
      [workspaceId, sha256],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, offset-paginated; the total lets clients show pages. */
  async list(
    workspaceId: string,
    options: { status?: DocumentStatus; limit: number; offset: number },
  ): Promise<{ items: DocumentRecord[]; total: number }> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow & { total: string }>(
      workspaceId,
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM documents
       WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2) AND ${LISTED}
       ORDER BY created_at DESC, id
       LIMIT $3 OFFSET $4`,
      [workspaceId, options.status ?? null, options.limit, options.offset],
    );
    const total = rows[0] ? Number(rows[0].total) : await this.count(workspaceId, options.status);
    return { items: rows.map(toRecord), total };
  }

  private async count(workspaceId: string, status?: DocumentStatus): Promise<number> {
    const rows = await this.postgres.queryInWorkspace<{ total: string }>(
      workspaceId,
      `SELECT count(*) AS total FROM documents
       WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2) AND ${LISTED}`,
      [workspaceId, status ?? null],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /**
   * Enters a stage for many documents at once: closes the previous stage's timing and opens this
   * one. Idempotent: re-entering the same stage keeps its first start time.
   *
   * This and the other run writes below leave a document that is being deleted alone: Temporal
   * does not recall an activity already running when its run is cancelled, and such a late write
   * must not show the document as processing (or searchable) again while the delete cleans up.
   */
  async enterStage(
    workspaceId: string,
    ids: string[],
    stage: DocumentStage,
    at: Date,
  ): Promise<DocumentRecord[]> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `UPDATE documents SET
         status = 'processing',
         error = NULL,
         stage = $3,
         stage_timings = CASE
           WHEN stage = $3 AND stage_timings ? $3 THEN stage_timings
           ELSE close_stage(stage_timings, stage, $4::timestamptz)
                || jsonb_build_object($3::text, jsonb_build_object('startedAt', $4::timestamptz))
         END,
         updated_at = now()
       WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND status <> 'deleting'
       RETURNING ${COLUMNS}`,
      [workspaceId, ids, stage, at.toISOString()],
    );
    return rows.map(toRecord);
  }

  /** Records the language analysis found in each document (ISO 639-1, or 'und'). */
  async setLanguages(
    workspaceId: string,
    languages: { documentId: string; language: string }[],
  ): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE documents d SET language = l.language
       FROM unnest($2::uuid[], $3::text[]) AS l(id, language)
       WHERE d.workspace_id = $1 AND d.id = l.id`,
      [
        workspaceId,
        languages.map(({ documentId }) => documentId),
        languages.map(({ language }) => language),
      ],
    );
  }

  /** Clears a previous run's state before processing starts again (retry or re-process). */
  /** Back to pending for a new run; `audit` is written in the same transaction. */
  async resetForRun(
    workspaceId: string,
    ids: string[],
    workflowId: string,
    audit?: AuditEntry,
  ): Promise<void> {
    await this.postgres.withWorkspace(workspaceId, async (client) => {
      await client.query(
        `UPDATE documents SET status = 'pending', stage = NULL, error = NULL,
           stage_timings = '{}'::jsonb, workflow_id = $3, updated_at = now()
         WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        [workspaceId, ids, workflowId],
      );
      if (audit) await writeAuditEntry(client, audit);
    });
  }

  /**
   * Marks the documents indexed. A new version of a source that is now indexed becomes current in
   * the same transaction, and the version it replaces stops being current: from that commit on,
   * searches see the new version and not the old one. Returns the replaced versions' rows, which
   * the run then withdraws.
   */
  async markIndexed(
    workspaceId: string,
    countsById: Record<string, DocumentCounts>,
    at: Date,
  ): Promise<{ records: DocumentRecord[]; replaced: string[] }> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const indexed = await client.query<DocumentRow>(
        `UPDATE documents d SET
           status = 'indexed',
           stage = 'done',
           error = NULL,
           counts = c.counts,
           stage_timings = close_stage(d.stage_timings, d.stage, $3::timestamptz),
           updated_at = now()
         FROM jsonb_each($2::jsonb) AS c(id, counts)
         WHERE d.workspace_id = $1 AND d.id = c.id::uuid AND d.status <> 'deleting'
         RETURNING ${COLUMNS.split(',')
           .map((column) => `d.${column.trim()}`)
           .join(', ')}`,
        [workspaceId, JSON.stringify(countsById), at.toISOString()],
      );
      const promoted = indexed.rows.filter((row) => row.source_key !== null && !row.is_current);
      if (promoted.length === 0) return { records: indexed.rows.map(toRecord), replaced: [] };
      const ids = promoted.map((row) => row.id);
      // Demoted first: one current row per source is a unique index checked row by row.
      const demoted = await client.query<{
        id: string;
        source_document_id: string;
        version: number;
      }>(
        `UPDATE documents old SET is_current = false, updated_at = now()
         FROM documents new
         WHERE old.workspace_id = $1 AND new.workspace_id = $1 AND new.id = ANY($2::uuid[])
           AND old.source_key = new.source_key AND old.is_current AND old.id <> new.id
         RETURNING old.id, old.source_document_id, old.version`,
        [workspaceId, ids],
      );
      const current = await client.query<DocumentRow>(
        `UPDATE documents SET is_current = true, updated_at = now()
         WHERE workspace_id = $1 AND id = ANY($2::uuid[]) RETURNING ${COLUMNS}`,
        [workspaceId, ids],
      );
      await client.query(
        `UPDATE document_versions v SET current_from = now()
         FROM documents d
         WHERE v.workspace_id = $1 AND d.workspace_id = $1 AND d.id = ANY($2::uuid[])
           AND v.source_document_id = d.source_document_id AND v.version = d.version`,
        [workspaceId, ids],
      );
      await client.query(
        `UPDATE document_versions v SET replaced_at = now()
         FROM unnest($2::uuid[], $3::int[]) AS old(source_document_id, version)
         WHERE v.workspace_id = $1 AND v.source_document_id = old.source_document_id
           AND v.version = old.version`,
        [
          workspaceId,
          demoted.rows.map((row) => row.source_document_id),
          demoted.rows.map((row) => row.version),
        ],
      );
      const byId = new Map(current.rows.map((row) => [row.id, row]));
      return {
        records: indexed.rows.map((row) => toRecord(byId.get(row.id) ?? row)),
        replaced: demoted.rows.map((row) => row.id),
      };
    });
  }

  async markFailed(workspaceId: string, ids: string[], error: string): Promise<DocumentRecord[]> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `UPDATE documents SET status = 'failed', error = $3, updated_at = now()
       WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND status <> 'deleting'
       RETURNING ${COLUMNS}`,
      [workspaceId, ids, error],
    );
    return rows.map(toRecord);
  }

  async markDeleting(
    workspaceId: string,
    id: string,
    audit: AuditEntry,
  ): Promise<DocumentRecord | null> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const rows = await client.query<DocumentRow>(
        `UPDATE documents SET status = 'deleting', updated_at = now()
         WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
        [workspaceId, id],
      );
      if (!rows.rows[0]) return null;
      await writeAuditEntry(client, audit);
      return toRecord(rows.rows[0]);
    });
  }

  /** Documents whose delete has been accepted and not finished yet (search hides them). */
  async idsBeingDeleted(workspaceId: string): Promise<string[]> {
    const rows = await this.postgres.queryInWorkspace<{ id: string }>(
      workspaceId,
      `SELECT id::text AS id FROM documents WHERE workspace_id = $1 AND status = 'deleting'`,
      [workspaceId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * What searches must not show although the indexes may hold it: documents being deleted, and
   * versions of a source that are not current (a new one being indexed, an old one being
   * withdrawn). One statement, so that a switch of versions is seen whole or not at all.
   */
  async idsHiddenFromSearch(workspaceId: string): Promise<string[]> {
    const rows = await this.postgres.queryInWorkspace<{ id: string }>(
      workspaceId,
      `SELECT id::text AS id FROM documents
       WHERE workspace_id = $1 AND (status = 'deleting' OR NOT ${LISTED})`,
      [workspaceId],
    );
    return rows.map((row) => row.id);
  }

  /**
   * The document an API id names: a row by its own id (a document without source, or one version
   * of a source), else the current version of the source with that document id.
   */
  async findVisible(workspaceId: string, id: string): Promise<DocumentRecord | null> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM documents
       WHERE workspace_id = $1 AND (id = $2 OR (source_document_id = $2 AND is_current))
       ORDER BY id = $2 DESC LIMIT 1`,
      [workspaceId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Every live row of a source: its current version and the one in flight, if any. */
  async rowsOfSource(workspaceId: string, sourceDocumentId: string): Promise<DocumentRecord[]> {
    const rows = await this.postgres.queryInWorkspace<DocumentRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM documents WHERE workspace_id = $1 AND source_document_id = $2
       ORDER BY version`,
      [workspaceId, sourceDocumentId],
    );
    return rows.map(toRecord);
  }

  /**
   * Records an upload under a source key, serialised per source (an advisory lock on the key):
   * the same bytes as the current version change nothing; other bytes make the next version,
   * current at once when the source has no current version yet. A failed version in flight gives
   * way to the new one (its contributions were taken back when it failed).
   */
  async insertVersion(document: NewVersion, audit: AuditEntry): Promise<VersionOutcome> {
    const { workspaceId, sourceKey } = document;
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `document-source:${workspaceId}:${sourceKey}`,
      ]);
      const existing = (
        await client.query<DocumentRow>(
          `SELECT ${COLUMNS} FROM documents WHERE workspace_id = $1 AND source_key = $2`,
          [workspaceId, sourceKey],
        )
      ).rows.map(toRecord);
      const deleting = existing.find((record) => record.status === 'deleting');
      if (deleting) return { kind: 'busy', record: deleting };
      const current = existing.find((record) => record.source?.current);
      const inFlight = existing.find((record) => !record.source?.current);
      if (current?.sha256 === document.sha256) return { kind: 'unchanged', record: current };
      let droppedSha256: string | undefined;
      if (inFlight?.status === 'failed') {
        await client.query(
          `UPDATE document_versions SET error = $4
           WHERE workspace_id = $1 AND source_document_id = $2 AND version = $3`,
          [workspaceId, inFlight.source?.documentId, inFlight.source?.version, inFlight.error],
        );
        await client.query('DELETE FROM documents WHERE workspace_id = $1 AND id = $2', [
          workspaceId,
          inFlight.id,
        ]);
        droppedSha256 = inFlight.sha256;
      } else if (inFlight) {
        const sameBytesIndexing =
          inFlight.sha256 === document.sha256 && inFlight.status !== 'indexed';
        return { kind: sameBytesIndexing ? 'in-flight' : 'busy', record: inFlight };
      }
      const next = await client.query<{ version: number }>(
        `SELECT coalesce(max(version), 0) + 1 AS version FROM document_versions
         WHERE workspace_id = $1 AND source_document_id = $2`,
        [workspaceId, document.sourceDocumentId],
      );
      const version = next.rows[0]?.version ?? 1;
      const inserted = await client.query<DocumentRow>(
        `INSERT INTO documents (id, workspace_id, sha256, title, mime, size_bytes, workflow_id,
           source_key, source_document_id, version, is_current)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING ${COLUMNS}`,
        [
          document.id,
          workspaceId,
          document.sha256,
          document.title,
          document.mime,
          document.sizeBytes,
          document.workflowId,
          sourceKey,
          document.sourceDocumentId,
          version,
          current === undefined,
        ],
      );
      await client.query(
        `INSERT INTO document_versions (workspace_id, source_document_id, version, source_key,
           version_id, sha256, title, mime, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          workspaceId,
          document.sourceDocumentId,
          version,
          sourceKey,
          document.id,
          document.sha256,
          document.title,
          document.mime,
          document.sizeBytes,
        ],
      );
      await writeAuditEntry(client, audit);
      const row = inserted.rows[0];
      if (!row) throw new Error(`version ${version} of ${sourceKey} was not inserted`);
      return { kind: 'created', record: toRecord(row), droppedSha256 };
    });
  }

  /** The versions of a source, oldest first, with the live row's status where there is one. */
  async versionsOf(workspaceId: string, sourceDocumentId: string): Promise<VersionRecord[]> {
    const rows = await this.postgres.queryInWorkspace<{
      version: number;
      version_id: string;
      sha256: string;
      title: string;
      mime: string;
      size_bytes: string;
      status: DocumentStatus | null;
      is_current: boolean | null;
      row_error: string | null;
      error: string | null;
      created_at: Date;
      current_from: Date | null;
      replaced_at: Date | null;
    }>(
      workspaceId,
      `SELECT v.version, v.version_id, v.sha256, v.title, v.mime, v.size_bytes, d.status,
         d.is_current, d.error AS row_error, v.error, v.created_at, v.current_from, v.replaced_at
       FROM document_versions v
       LEFT JOIN documents d ON d.workspace_id = v.workspace_id AND d.id = v.version_id
         AND d.source_document_id = v.source_document_id AND d.version = v.version
       WHERE v.workspace_id = $1 AND v.source_document_id = $2
       ORDER BY v.version`,
      [workspaceId, sourceDocumentId],
    );
    return rows.map((row) => ({
      version: row.version,
      versionId: row.version_id,
      sha256: row.sha256,
      title: row.title,
      mime: row.mime,
      sizeBytes: Number(row.size_bytes),
      status: row.status ?? (row.replaced_at ? 'replaced' : 'dropped'),
      current: row.is_current === true && row.status !== 'deleting',
      error: row.row_error ?? row.error,
      createdAt: row.created_at.toISOString(),
      currentFrom: row.current_from?.toISOString() ?? null,
      replacedAt: row.replaced_at?.toISOString() ?? null,
    }));
  }

  /**
   * Marks every live row of a source deleting and forgets its version history, with the audit
   * entry, in one transaction. Returns the rows, whose delete workflows then clean up.
   */
  async markSourceDeleting(
    workspaceId: string,
    sourceDocumentId: string,
    audit: AuditEntry,
  ): Promise<DocumentRecord[]> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const rows = await client.query<DocumentRow>(
        `UPDATE documents SET status = 'deleting', updated_at = now()
         WHERE workspace_id = $1 AND source_document_id = $2 RETURNING ${COLUMNS}`,
        [workspaceId, sourceDocumentId],
      );
      await client.query(
        'DELETE FROM document_versions WHERE workspace_id = $1 AND source_document_id = $2',
        [workspaceId, sourceDocumentId],
      );
      await writeAuditEntry(client, audit);
      return rows.rows.map(toRecord);
    });
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      'DELETE FROM documents WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
  }

  /** How many documents of the workspace reference these bytes (for blob garbage collection). */
  async countBySha(workspaceId: string, sha256: string): Promise<number> {
    const rows = await this.postgres.queryInWorkspace<{ total: string }>(
      workspaceId,
      'SELECT count(*) AS total FROM documents WHERE workspace_id = $1 AND sha256 = $2',
      [workspaceId, sha256],
    );
    return Number(rows[0]?.total ?? 0);
  }
}

function toRecord(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    sha256: row.sha256,
    title: row.title,
    mime: row.mime,
    sizeBytes: Number(row.size_bytes),
    status: row.status,
    stage: row.stage,
    error: row.error,
    workflowId: row.workflow_id,
    counts: row.counts,
    stageTimings: row.stage_timings,
    language: row.language,
    source:
      row.source_key !== null && row.source_document_id !== null && row.version !== null
        ? {
            key: row.source_key,
            documentId: row.source_document_id,
            version: row.version,
            current: row.is_current,
          }
        : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
