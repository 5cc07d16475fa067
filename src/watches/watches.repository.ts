import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { WorkspaceRows } from '../stores/postgres/workspace-rows';
import type { SearchMode } from '../search/search.schema';
import type { WatchFilters, WatchMatchRecord, WatchRecord } from './watch.types';

interface WatchRow {
  id: string;
  workspace_id: string;
  name: string;
  query: string;
  mode: SearchMode;
  filters: WatchFilters;
  min_score: number;
  created_by: string | null;
  created_at: Date;
}

interface MatchRow {
  id: string;
  watch_id: string;
  document_id: string;
  chunk_id: string;
  score: number;
  title: string;
  text: string;
  matched_at: Date;
}

const WATCH_COLUMNS =
  'id, workspace_id, name, query, mode, filters, min_score, created_by, created_at';
const MATCH_COLUMNS = 'id, watch_id, document_id, chunk_id, score, title, text, matched_at';

/** Watches and their matches in Postgres, each statement scoped to one workspace. */
@Injectable()
export class WatchesRepository {
  private readonly rows: WorkspaceRows<WatchRow, WatchRecord>;

  constructor(private readonly postgres: PostgresStore) {
    this.rows = new WorkspaceRows(postgres, 'watches', WATCH_COLUMNS, toWatch);
  }

  async insert(client: PoolClient, watch: Omit<WatchRecord, 'createdAt'>): Promise<WatchRecord> {
    const { rows } = await client.query<WatchRow>(
      `INSERT INTO watches (id, workspace_id, name, query, mode, filters, min_score, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${WATCH_COLUMNS}`,
      [
        watch.id,
        watch.workspaceId,
        watch.name,
        watch.query,
        watch.mode,
        JSON.stringify(watch.filters),
        watch.minScore,
        watch.createdBy,
      ],
    );
    return toWatch(rows[0]);
  }

  list(workspaceId: string): Promise<WatchRecord[]> {
    return this.rows.list(workspaceId);
  }

  find(workspaceId: string, id: string): Promise<WatchRecord | undefined> {
    return this.rows.find(workspaceId, id);
  }

  remove(client: PoolClient, workspaceId: string, id: string): Promise<boolean> {
    return this.rows.remove(client, workspaceId, id);
  }

  /**
   * Records matches; one already recorded (a retried check, or the same chunk seen again) is
   * kept as it was. Answers every given match as stored, for the callers to announce.
   */
  async recordMatches(
    workspaceId: string,
    matches: Omit<WatchMatchRecord, 'matchedAt'>[],
  ): Promise<WatchMatchRecord[]> {
    if (matches.length === 0) return [];
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      await client.query(
        `INSERT INTO watch_matches (id, workspace_id, watch_id, document_id, chunk_id, score, title, text)
         SELECT m.id, $1, m.watch_id, m.document_id, m.chunk_id, m.score, m.title, m.text
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::float8[], $7::text[], $8::text[])
           AS m(id, watch_id, document_id, chunk_id, score, title, text)
         -- The watch or the document may have been deleted since the search.
         WHERE EXISTS (SELECT 1 FROM watches w WHERE w.workspace_id = $1 AND w.id = m.watch_id)
           AND EXISTS (SELECT 1 FROM documents d WHERE d.workspace_id = $1 AND d.id = m.document_id)
         ON CONFLICT DO NOTHING`,
        [
          workspaceId,
          matches.map((match) => match.id),
          matches.map((match) => match.watchId),
          matches.map((match) => match.documentId),
          matches.map((match) => match.chunkId),
          matches.map((match) => match.score),
          matches.map((match) => match.title),
          matches.map((match) => match.text),
        ],
      );
      const { rows } = await client.query<MatchRow>(
        `SELECT ${MATCH_COLUMNS} FROM watch_matches WHERE workspace_id = $1 AND id = ANY($2::uuid[])
         ORDER BY matched_at, id`,
        [workspaceId, matches.map((match) => match.id)],
      );
      return rows.map(toMatch);
    });
  }

  async matches(
    workspaceId: string,
    watchId: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: WatchMatchRecord[]; total: number }> {
    const rows = await this.postgres.queryInWorkspace<MatchRow & { total: string | number }>(
      workspaceId,
      `SELECT ${MATCH_COLUMNS}, count(*) OVER () AS total FROM watch_matches
       WHERE workspace_id = $1 AND watch_id = $2
       ORDER BY matched_at DESC, id LIMIT $3 OFFSET $4`,
      [workspaceId, watchId, page.limit, page.offset],
    );
    return { items: rows.map(toMatch), total: Number(rows[0]?.total ?? 0) };
  }
}

function toWatch(row: WatchRow): WatchRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    query: row.query,
    mode: row.mode,
    filters: row.filters,
    minScore: row.min_score,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

function toMatch(row: MatchRow): WatchMatchRecord {
  return {
    id: row.id,
    watchId: row.watch_id,
    documentId: row.document_id,
    chunkId: row.chunk_id,
    score: row.score,
    title: row.title,
    text: row.text,
    matchedAt: row.matched_at.toISOString(),
  };
}
