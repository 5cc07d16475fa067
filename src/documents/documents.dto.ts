import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DOCUMENT_STAGES, DOCUMENT_STATUSES, type DocumentStatus } from './document.types';

// Response shapes of the documents API, as classes so that Swagger can describe them.

export class DocumentAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Deterministic: the same bytes give the same id' })
  id!: string;
  @ApiProperty({ enum: DOCUMENT_STATUSES })
  status!: DocumentStatus;
  @ApiProperty({ example: 'document:default:8f0e…' })
  workflowId!: string;
  @ApiProperty({ description: "The workflow's page in the Temporal Web UI" })
  temporalUiUrl!: string;
  @ApiProperty({
    format: 'uuid',
    description:
      'The version this upload concerns (equal to id for a document without sourceKey); its events are at GET /documents/{versionId}/events',
  })
  versionId!: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Its version number under the sourceKey; null without sourceKey',
  })
  version!: number | null;
}

export class StageTimingDto {
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) finishedAt?: string;
  @ApiPropertyOptional() durationMs?: number;
}

export class DocumentCountsDto {
  @ApiPropertyOptional() chunks?: number;
  @ApiPropertyOptional() entities?: number;
  @ApiPropertyOptional() relations?: number;
  @ApiPropertyOptional() mentions?: number;
}

export class DocumentAttachmentDto {
  @ApiProperty({ description: "The attachment's place in the message, from 0" }) position!: number;
  @ApiProperty() fileName!: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The document the attachment became; null when it was refused',
  })
  documentId!: string | null;
  @ApiProperty({ enum: DOCUMENT_STATUSES, nullable: true, type: String })
  status!: DocumentStatus | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the attachment was refused' })
  reason!: string | null;
}

export class DocumentDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Stable across versions: a document with a sourceKey keeps it for every version',
  })
  id!: string;
  @ApiProperty({
    format: 'uuid',
    description:
      'The version shown (search hits name it as documentId); equal to id without sourceKey',
  })
  versionId!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Where the document lives, as uploaded',
  })
  sourceKey!: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'The version shown; null without sourceKey',
  })
  version!: number | null;
  @ApiProperty() title!: string;
  @ApiProperty({ example: 'application/pdf' }) mime!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty({ description: 'Hex SHA-256 of the original bytes' }) sha256!: string;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status!: DocumentStatus;
  @ApiProperty({ enum: [...DOCUMENT_STAGES, 'done'], nullable: true, type: String })
  stage!: string | null;
  @ApiProperty({
    description: 'Per-stage timings, keyed by stage',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/StageTimingDto' },
  })
  stageTimings!: Record<string, StageTimingDto>;
  @ApiProperty({ type: DocumentCountsDto }) counts!: DocumentCountsDto;
  @ApiProperty({ nullable: true, type: String, description: 'Why processing failed' })
  error!: string | null;
  @ApiProperty({ nullable: true, type: String }) workflowId!: string | null;
  @ApiProperty({ nullable: true, type: String }) temporalUiUrl!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({
    type: [DocumentAttachmentDto],
    description:
      "An e-mail message's attachments in order (GET /documents/{id} only): each became a document of its own, or was refused with a reason",
  })
  attachments?: DocumentAttachmentDto[];
  @ApiPropertyOptional({
    type: [String],
    description: 'The e-mail messages this document is an attachment of (GET /documents/{id} only)',
  })
  attachedTo?: string[];
}

export class DocumentListDto {
  @ApiProperty({ type: [DocumentDto] }) items!: DocumentDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class ChunkDto {
  @ApiProperty() ord!: number;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'Character offset of the chunk in the extracted text' })
  start!: number;
  @ApiProperty() end!: number;
  @ApiPropertyOptional({ description: 'Page number, for formats with pages' }) page?: number;
  @ApiPropertyOptional({
    description:
      'Where the chunk sits in its source ("page 4", "slide 3", "sheet Sales, rows 2–9")',
  })
  locator?: string;
}

export class DocumentChunksDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty({ example: 'en' }) language!: string;
  @ApiProperty({ type: [ChunkDto] }) chunks!: ChunkDto[];
}

const SOURCE_KEY_DESCRIPTION =
  'Where the document lives (a path, URL or external id; unique in the workspace). Other bytes under the same key make a new version of the same document, which replaces the current one once indexed; the same bytes change nothing.';

export class TextUploadDto {
  @ApiProperty({ minLength: 1, maxLength: 500 }) title!: string;
  @ApiProperty({ description: 'Plain text or Markdown, UTF-8' }) text!: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 2048, description: SOURCE_KEY_DESCRIPTION })
  sourceKey?: string;
}

export class FileUploadDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'PDF, DOCX, HTML, Markdown or text',
  })
  file!: unknown;
  @ApiPropertyOptional({ maxLength: 500, description: 'Defaults to the file name' })
  title?: string;
  @ApiPropertyOptional({ minLength: 1, maxLength: 2048, description: SOURCE_KEY_DESCRIPTION })
  sourceKey?: string;
}

export class DocumentVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty({
    format: 'uuid',
    description: 'The id of this version (GET /documents/{versionId})',
  })
  versionId!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() title!: string;
  @ApiProperty() mime!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty({
    enum: [...DOCUMENT_STATUSES, 'replaced', 'dropped'],
    description:
      "The version's status while it is kept; replaced once a newer version took its place and it was withdrawn; dropped when it failed and a later upload took its place",
  })
  status!: string;
  @ApiProperty({ description: 'Whether searches see this version' }) current!: boolean;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) currentFrom!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) replacedAt!: string | null;
}

export class DocumentVersionListDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty({ nullable: true, type: String }) sourceKey!: string | null;
  @ApiProperty({ type: [DocumentVersionDto] }) items!: DocumentVersionDto[];
}

/** The JSON of each Server-Sent Event of GET /documents/:id/events (besides heartbeats). */
export class DocumentEventDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty({ enum: [...DOCUMENT_STATUSES, 'deleted'] }) status!: DocumentStatus | 'deleted';
  @ApiProperty({ enum: [...DOCUMENT_STAGES, 'done'], nullable: true, type: String })
  stage!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error?: string | null;
  @ApiPropertyOptional({ type: DocumentCountsDto }) counts?: DocumentCountsDto;
  @ApiProperty({ format: 'date-time' }) at!: string;
}
