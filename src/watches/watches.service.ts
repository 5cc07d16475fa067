import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../auth/audit-context';
import { AuditService } from '../auth/audit.service';
import { CairnError } from '../common/errors/cairn-error';
import type { SearchMode } from '../search/search.schema';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { WatchesRepository } from './watches.repository';
import {
  DEFAULT_MIN_SCORE,
  type WatchFilters,
  type WatchMatchRecord,
  type WatchRecord,
} from './watch.types';

export interface NewWatch {
  name: string;
  query: string;
  mode: SearchMode;
  filters?: WatchFilters;
  minScore?: number;
}

/** Standing searches of a workspace; documents are checked against them as they are indexed. */
@Injectable()
export class WatchesService {
  constructor(
    private readonly postgres: PostgresStore,
    private readonly watches: WatchesRepository,
    private readonly audit: AuditService,
  ) {}

  async create(audit: AuditContext, input: NewWatch): Promise<WatchRecord> {
    const minScore =
      input.minScore ?? DEFAULT_MIN_SCORE[input.mode === 'keyword' ? 'keyword' : 'semantic'];
    return this.postgres.withWorkspace(audit.workspaceId, async (client) => {
      const watch = await this.watches.insert(client, {
        id: randomUUID(),
        workspaceId: audit.workspaceId,
        name: input.name,
        query: input.query,
        mode: input.mode,
        filters: input.filters ?? {},
        minScore,
        createdBy: audit.actor?.userId ?? null,
      });
      await this.audit.recordIn(client, {
        ...audit,
        action: 'watch.created',
        targetType: 'watch',
        targetId: watch.id,
        details: { name: watch.name, query: watch.query, mode: watch.mode, minScore },
      });
      return watch;
    });
  }

  list(workspaceId: string): Promise<WatchRecord[]> {
    return this.watches.list(workspaceId);
  }

  async remove(audit: AuditContext, id: string): Promise<void> {
    await this.postgres.withWorkspace(audit.workspaceId, async (client) => {
      if (!(await this.watches.remove(client, audit.workspaceId, id))) {
        throw new CairnError('not_found', `watch ${id} not found`);
      }
      await this.audit.recordIn(client, {
        ...audit,
        action: 'watch.deleted',
        targetType: 'watch',
        targetId: id,
      });
    });
  }

  async matches(
    workspaceId: string,
    id: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: WatchMatchRecord[]; total: number }> {
    if (!(await this.watches.find(workspaceId, id))) {
      throw new CairnError('not_found', `watch ${id} not found`);
    }
    return this.watches.matches(workspaceId, id, page);
  }
}
