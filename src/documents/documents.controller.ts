import {
  Controller,
  Delete,
  Get,
  HttpCode,
  type MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
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
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { CairnError } from '../common/errors/cairn-error';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { type AuditContext, CurrentAuditContext } from '../auth/audit-context';
import { EventStreamQuota } from '../auth/event-stream-quota';
import { CurrentPrincipal, type Principal, RequireRole } from '../auth/principal';
import { Admitted } from '../auth/admission.guard';
import { RateLimited } from '../auth/rate-limit.guard';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { DocumentEventsService } from './document-events.service';
import { DOCUMENT_STATUSES } from './document.types';
import {
  DocumentAcceptedDto,
  DocumentChunksDto,
  DocumentDto,
  DocumentEventDto,
  DocumentListDto,
  DocumentVersionListDto,
  FileUploadDto,
  StageTimingDto,
  TextUploadDto,
} from './documents.dto';
import { DocumentsService, type ListDocumentsQuery } from './documents.service';
import { pagingQueryShape } from '../common/http/paging';

const listQuerySchema = z.object({
  status: z.enum(DOCUMENT_STATUSES).optional(),
  ...pagingQueryShape,
});

@ApiTags('documents')
// StageTimingDto is referenced by DocumentDto.stageTimings' $ref only: it must be listed itself.
@ApiExtraModels(FileUploadDto, TextUploadDto, DocumentEventDto, StageTimingDto)
@Controller('documents')
export class DocumentsController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly documentEvents: DocumentEventsService,
    private readonly streamQuota: EventStreamQuota,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireRole('editor')
  @Admitted('upload')
  @RateLimited('upload')
  @ApiOperation({
    summary: 'Upload a document and start processing it',
    description:
      'multipart/form-data with exactly one file part "file" (PDF, DOCX, HTML, Markdown or UTF-8 text; the type is detected from the bytes) and an optional "title", or application/json {title, text}. The same bytes always give the same document. With a "sourceKey" (a form field, or a JSON property) the upload is a version of the document living there: other bytes under the same key make a new version that replaces the current one once indexed (searches never see both or neither), the same bytes change nothing (409 while another version of it is still being indexed or withdrawn).',
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(FileUploadDto) }, { $ref: getSchemaPath(TextUploadDto) }],
    },
  })
  @ApiAcceptedResponse({ type: DocumentAcceptedDto })
  @ApiBadRequestResponse({
    description: 'Empty file, invalid UTF-8, bad file name, several file parts, bad JSON',
  })
  @ApiPayloadTooLargeResponse({ description: 'Larger than CAIRN_MAX_UPLOAD_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Unsupported type, or a name that lies' })
  async upload(
    @CurrentAuditContext() audit: AuditContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DocumentAcceptedDto> {
    try {
      return await this.documents.upload(audit, request);
    } catch (error) {
      // The rest of an oversized body is not worth receiving: close instead of draining it.
      if (error instanceof CairnError && error.code === 'payload_too_large') {
        response.setHeader('Connection', 'close');
      }
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'List documents, newest first, optionally by status' })
  @ApiOkResponse({ type: DocumentListDto })
  @ApiBadRequestResponse({ description: 'Bad status, limit (1–100) or offset' })
  @ApiQuery({ name: 'status', required: false, enum: DOCUMENT_STATUSES })
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
    @Query(new ZodValidationPipe(listQuerySchema)) query: ListDocumentsQuery,
  ): Promise<DocumentListDto> {
    return this.documents.list(workspaceId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status, stage, timings, counts and error of a document' })
  @ApiOkResponse({ type: DocumentDto })
  @ApiNotFoundResponse()
  get(@CurrentWorkspace() workspaceId: string, @Param('id') id: string): Promise<DocumentDto> {
    return this.documents.get(workspaceId, id);
  }

  @Get(':id/versions')
  @ApiOperation({
    summary: 'The versions of a document uploaded with a sourceKey, oldest first',
    description:
      'Which one searches see (current), the one being indexed, and those replaced or dropped. A document without sourceKey has one version.',
  })
  @ApiOkResponse({ type: DocumentVersionListDto })
  @ApiNotFoundResponse()
  versions(
    @CurrentWorkspace() workspaceId: string,
    @Param('id') id: string,
  ): Promise<DocumentVersionListDto> {
    return this.documents.versions(workspaceId, id);
  }

  @Get(':id/content')
  @ApiOperation({ summary: 'The original bytes, as uploaded' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse()
  content(
    @CurrentWorkspace() workspaceId: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    // Never let a browser guess a type (an HTML upload must not run as this origin's page).
    response.setHeader('X-Content-Type-Options', 'nosniff');
    return this.documents.content(workspaceId, id);
  }

  @Get(':id/chunks')
  @ApiOperation({ summary: 'The chunks of an indexed document, with offsets and pages' })
  @ApiOkResponse({ type: DocumentChunksDto })
  @ApiConflictResponse({ description: 'Not indexed (yet, or any more: failed or re-processing)' })
  @ApiNotFoundResponse()
  chunks(
    @CurrentWorkspace() workspaceId: string,
    @Param('id') id: string,
  ): Promise<DocumentChunksDto> {
    return this.documents.chunks(workspaceId, id);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Server-Sent Events: the current state, then every status or stage change',
    description:
      'Each message carries a DocumentEvent as JSON. The stream ends after indexed, failed or deleted; "heartbeat" events keep idle connections open.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream' })
  @ApiNotFoundResponse()
  @ApiTooManyRequestsResponse({ description: 'The caller already holds too many event streams' })
  async events(
    @CurrentWorkspace() workspaceId: string,
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Observable<MessageEvent>> {
    // A document with versions streams its current version's events (a version id, its own).
    const record = await this.documents.require(workspaceId, id);
    const release = this.streamQuota.reserve(principal.apiKeyId ?? principal.userId);
    return this.documentEvents.stream(workspaceId, record.id, release);
  }

  @Delete(':id')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Delete a document and exactly what it contributed (a workflow)',
    description:
      'Cancels a running processing workflow first. A document with versions loses all of them.',
  })
  @ApiAcceptedResponse({ type: DocumentAcceptedDto })
  @ApiNotFoundResponse()
  async remove(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id') id: string,
  ): Promise<DocumentAcceptedDto> {
    return this.documents.remove(audit, id);
  }

  @Post(':id/reprocess')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Run the pipeline again, replacing the previous result' })
  @ApiAcceptedResponse({ type: DocumentAcceptedDto })
  @ApiConflictResponse({ description: 'The document is being processed or deleted' })
  @ApiNotFoundResponse()
  async reprocess(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id') id: string,
  ): Promise<DocumentAcceptedDto> {
    return this.documents.reprocess(audit, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Retry a failed document, or one whose run was terminated, cancelled or timed out',
    description:
      "A bulk import's document left pending or processing can be retried once the import workflow has closed.",
  })
  @ApiAcceptedResponse({ type: DocumentAcceptedDto })
  @ApiConflictResponse({
    description: 'The document has not failed, or its run is still going or has finished it',
  })
  @ApiNotFoundResponse()
  async retry(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id') id: string,
  ): Promise<DocumentAcceptedDto> {
    return this.documents.retry(audit, id);
  }
}
