import {
  Controller,
  Get,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Sse,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiConsumes,
  ApiExtraModels,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { type AuditContext, CurrentAuditContext } from '../auth/audit-context';
import { EventStreamQuota } from '../auth/event-stream-quota';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { Admitted } from '../auth/admission.guard';
import { RateLimited } from '../auth/rate-limit.guard';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { ImportEventsService } from './import-events.service';
import {
  ImportsService,
  type ImportAccepted,
  type ImportOptions,
  type ImportView,
} from './imports.service';
import { pagingQueryShape, wholeNumber } from '../common/http/paging';
import { ImportAcceptedDto, ImportDto, ImportEventDto, ImportListDto } from './imports.dto';

/**
 * Documents per child workflow of an import, sent with every start so that a run keeps the size
 * it began with. MuSiQue-100 (npm run bench:ingest): 200 took 100 s and 176 CPU s, 100 took
 * 106 s and 184 CPU s (fewer activities, transactions and status updates per document).
 */
const IMPORT_BATCH_SIZE = 200;

const listQuerySchema = z.object({
  ...pagingQueryShape,
});

const createQuerySchema = z.object({
  batchSize: wholeNumber('batchSize')
    .pipe(z.number().min(1).max(256, 'batchSize must be at most 256'))
    .optional()
    .transform((size) => size ?? IMPORT_BATCH_SIZE),
  parallelBatches: wholeNumber('parallelBatches')
    .pipe(z.number().min(1).max(8, 'parallelBatches must be at most 8'))
    .optional(),
});

@ApiTags('imports')
@ApiExtraModels(ImportEventDto)
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly importEvents: ImportEventsService,
    private readonly streamQuota: EventStreamQuota,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('editor')
  @Admitted('upload')
  @RateLimited('upload')
  @ApiOperation({
    summary: 'Import many documents at once',
    description:
      'A JSONL file of {"title", "text"} records, or a zip / tar / tar.gz archive of txt, md, html, pdf and docx files; as multipart/form-data with one part "file", or as the raw body (application/x-ndjson, application/zip, application/x-tar, application/gzip). The whole source is validated before anything is stored. Archive entries of an unsupported type are skipped and counted as failed, with the reason listed in GET /imports/:id.',
  })
  @ApiConsumes(
    'multipart/form-data',
    'application/x-ndjson',
    'application/zip',
    'application/x-tar',
    'application/gzip',
  )
  @ApiAcceptedResponse({ type: ImportAcceptedDto, description: 'The import workflow started' })
  @ApiQuery({
    name: 'batchSize',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 256, default: IMPORT_BATCH_SIZE },
  })
  @ApiQuery({
    name: 'parallelBatches',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 8 },
  })
  @ApiBadRequestResponse({ description: 'A bad line, an unsafe or damaged archive' })
  @ApiPayloadTooLargeResponse({ description: 'Over CAIRN_MAX_IMPORT_BYTES, or expands too much' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Neither JSONL nor a zip/tar archive' })
  async create(
    @CurrentAuditContext() audit: AuditContext,
    @Req() request: Request,
    @Query(new ZodValidationPipe(createQuerySchema)) options: ImportOptions,
  ): Promise<ImportAccepted> {
    return this.imports.create(audit, request, options);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Run an import that ended with errors again',
    description:
      'For an import that is completed_with_errors or failed, including one whose workflow was terminated in the Temporal UI: a new run of the same import workflow processes the documents the import created and did not index (pending, processing or failed ones); documents it indexed count as done. Query parameters as for POST /imports.',
  })
  @ApiAcceptedResponse({
    type: ImportAcceptedDto,
    description: 'The import workflow started again',
  })
  @ApiQuery({
    name: 'batchSize',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 256, default: IMPORT_BATCH_SIZE },
  })
  @ApiQuery({
    name: 'parallelBatches',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 8 },
  })
  @ApiConflictResponse({
    description: 'The import is still running, or completed without errors',
  })
  @ApiNotFoundResponse({ description: 'No such import in this workspace' })
  async retry(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id') id: string,
    @Query(new ZodValidationPipe(createQuerySchema)) options: ImportOptions,
  ): Promise<ImportAccepted> {
    return this.imports.retry(audit, id, options);
  }

  @Get()
  @ApiOperation({ summary: 'Imports of the workspace, newest first' })
  @ApiOkResponse({ type: ImportListDto })
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
    @Query(new ZodValidationPipe(listQuerySchema)) query: { limit: number; offset: number },
  ): Promise<ImportListDto> {
    return this.imports.list(workspaceId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status and progress of one import' })
  @ApiOkResponse({ type: ImportDto })
  @ApiNotFoundResponse({ description: 'No such import in this workspace' })
  get(@CurrentWorkspace() workspaceId: string, @Param('id') id: string): Promise<ImportView> {
    return this.imports.get(workspaceId, id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Server-Sent Events of the import progress',
    description:
      'First the current state, then each change; the stream ends with the import. Each message carries an ImportEventDto as JSON; "heartbeat" events keep idle connections open.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream' })
  @ApiNotFoundResponse({ description: 'No such import in this workspace' })
  @ApiTooManyRequestsResponse({ description: 'The caller already holds too many event streams' })
  async events(
    @CurrentWorkspace() workspaceId: string,
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Observable<MessageEvent>> {
    // An import whose workflow was stopped in the Temporal UI ends its stream as failed.
    const record = await this.imports.settleIfAbandoned(
      await this.imports.require(workspaceId, id),
    );
    const release = this.streamQuota.reserve(principal.apiKeyId ?? principal.userId);
    return this.importEvents.stream(workspaceId, id, release, () =>
      this.imports.settleIfAbandoned(record),
    );
  }
}
