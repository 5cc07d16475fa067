import { BadRequestException, Injectable } from '@nestjs/common';
import { DomainsRepository } from '../domains/domains.repository';
import type { SearchRequest } from './search.schema';

/** Domain ids are UUIDs: anything else names no domain (and is not sent to Postgres). */
const DOMAIN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A search with `domainId` sees only that domain's member documents (within any documentIds
 * filter it also names). An unknown or archived domain is a bad request, and so is one not yet
 * active unless the caller says `includeInactive`.
 */
@Injectable()
export class DomainSearchScope {
  constructor(private readonly domains: DomainsRepository) {}

  async narrow(workspaceId: string, request: SearchRequest): Promise<SearchRequest> {
    if (request.domainId === undefined) return request;
    const members = await this.memberDocuments(
      workspaceId,
      request.domainId,
      request.includeInactive,
    );
    const asked = request.filters?.documentIds;
    const documentIds = asked === undefined ? members : asked.filter((id) => members.includes(id));
    return { ...request, filters: { ...request.filters, documentIds } };
  }

  private async memberDocuments(
    workspaceId: string,
    domainId: string,
    includeInactive: boolean,
  ): Promise<string[]> {
    const record = DOMAIN_ID.test(domainId)
      ? await this.domains.findById(workspaceId, domainId)
      : null;
    if (!record || record.status === 'archived') {
      throw new BadRequestException(`domainId: unknown domain "${domainId}" in this workspace.`);
    }
    if (record.status !== 'active' && !includeInactive) {
      throw new BadRequestException(
        `domainId: domain "${record.name}" is ${record.status}, not active; send includeInactive: true to search it anyway.`,
      );
    }
    return this.domains.documentIds(workspaceId, domainId);
  }
}
