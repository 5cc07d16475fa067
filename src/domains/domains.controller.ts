import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { type AuditContext, CurrentAuditContext } from '../auth/audit-context';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/principal';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import {
  addDomainDocumentsSchema,
  createDomainSchema,
  domainIdParamSchema,
  listDomainsQuerySchema,
  reviewDomainSchema,
  type AddDomainDocumentsInput,
  type CreateDomainInput,
  type ListDomainsQuery,
  type ReviewDomainInput,
} from './domains.schema';
import { DOMAIN_STATUSES } from './domain.types';
import {
  AddDomainDocumentsDto,
  AddedDomainDocumentsDto,
  CreateDomainDto,
  CreatedDomainDto,
  DomainDetailDto,
  DomainDto,
  DomainListDto,
  DomainOverviewDto,
  ReviewDomainDto,
  ReviewOutcomeDto,
} from './domains.dto';
import { DomainsService } from './domains.service';

const domainId = new ZodValidationPipe(domainIdParamSchema);

@ApiTags('domains')
@Controller('domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Create a knowledge domain and start bootstrapping it',
    description:
      'Body: {name (1–120 chars, unique in the workspace), description?, seedDocumentIds?, seedTopics?, mode review|auto (review), reviewers? (user ids), review?: {reminderSeconds?, timeoutSeconds?}}. Answers with the domain and its bootstrap workflow.',
  })
  @ApiBody({ type: CreateDomainDto })
  @ApiAcceptedResponse({ type: CreatedDomainDto })
  @ApiBadRequestResponse({ description: 'Empty or too long name, bad ids, unknown keys' })
  @ApiNotFoundResponse({ description: 'A seed document that the workspace does not have' })
  @ApiConflictResponse({ description: 'A live domain of the workspace has this name' })
  async create(
    @CurrentAuditContext() audit: AuditContext,
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createDomainSchema)) input: CreateDomainInput,
  ): Promise<CreatedDomainDto> {
    const created = await this.domains.create(audit, principal, input);
    return created;
  }

  @Get()
  @ApiOperation({ summary: 'List domains, newest first, optionally by status' })
  @ApiOkResponse({ type: DomainListDto })
  @ApiQuery({ name: 'status', required: false, enum: DOMAIN_STATUSES })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  @ApiQuery({
    name: 'offset',
    required: false,
    schema: { type: 'integer', minimum: 0, default: 0 },
  })
  list(
    @CurrentWorkspace() workspaceId: string,
    @Query(new ZodValidationPipe(listDomainsQuerySchema)) query: ListDomainsQuery,
  ): Promise<DomainListDto> {
    return this.domains.list(workspaceId, query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A domain: its row, members, review history and the workflow state query',
  })
  @ApiOkResponse({ type: DomainDetailDto })
  @ApiNotFoundResponse({ description: 'No such domain in this workspace' })
  get(
    @CurrentWorkspace() workspaceId: string,
    @Param('id', domainId) id: string,
  ): Promise<DomainDetailDto> {
    return this.domains.get(workspaceId, id);
  }

  @Get(':id/overview')
  @ApiOperation({ summary: "The domain's latest drafted overview (MinIO JSON artifact)" })
  @ApiOkResponse({ type: DomainOverviewDto })
  @ApiNotFoundResponse({ description: 'No such domain, or no overview drafted yet' })
  overview(
    @CurrentWorkspace() workspaceId: string,
    @Param('id', domainId) id: string,
  ): Promise<DomainOverviewDto> {
    return this.domains.overview(workspaceId, id);
  }

  @Post(':id/review')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Decide on the drafted domain: approve, reject or request_changes',
    description:
      'Body: {decision, comment} (comment required for reject and request_changes). Exactly one decision per draft wins.',
  })
  @ApiBody({ type: ReviewDomainDto })
  @ApiOkResponse({ type: ReviewOutcomeDto })
  @ApiBadRequestResponse({ description: 'Invalid decision or missing comment' })
  @ApiForbiddenResponse({ description: 'Not a reviewer of this domain, or below editor' })
  @ApiConflictResponse({ description: 'The domain is not waiting for a review' })
  async review(
    @CurrentAuditContext() audit: AuditContext,
    @CurrentPrincipal() principal: Principal,
    @Param('id', domainId) id: string,
    @Body(new ZodValidationPipe(reviewDomainSchema)) input: ReviewDomainInput,
  ): Promise<ReviewOutcomeDto> {
    const reviewed = await this.domains.review(audit, principal, id, input);
    return reviewed;
  }

  @Post(':id/documents')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Add documents to a domain; they are processed if needed and linked',
    description: 'Body: {documentIds, reason?}.',
  })
  @ApiBody({ type: AddDomainDocumentsDto })
  @ApiAcceptedResponse({ type: AddedDomainDocumentsDto })
  @ApiNotFoundResponse({ description: 'No such domain or document' })
  @ApiConflictResponse({ description: 'The domain is archived' })
  async addDocuments(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id', domainId) id: string,
    @Body(new ZodValidationPipe(addDomainDocumentsSchema)) input: AddDomainDocumentsInput,
  ): Promise<AddedDomainDocumentsDto> {
    const added = await this.domains.addDocuments(audit, id, input);
    return added;
  }

  @Delete(':id')
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Archive a domain: stops its bootstrap, unlinks, keeps the documents' })
  @ApiOkResponse({ type: DomainDto })
  @ApiNotFoundResponse({ description: 'No such domain in this workspace' })
  async archive(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id', domainId) id: string,
  ): Promise<DomainDto> {
    const archived = await this.domains.archive(audit, id);
    return archived;
  }
}
