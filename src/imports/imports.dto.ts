import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_STATUSES } from './import.types';

// Response shapes of the imports API, as classes so that Swagger can describe them.

export class ImportAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: IMPORT_STATUSES }) status!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ description: "The workflow's page in the Temporal Web UI" })
  temporalUiUrl!: string;
  @ApiProperty({ description: 'Entries in the source' }) total!: number;
}

export class RejectedEntryDto {
  @ApiProperty({ description: 'The entry: a JSONL line number or an archive path' })
  entry!: string;
  @ApiProperty() reason!: string;
}

export class ImportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: IMPORT_STATUSES }) status!: string;
  @ApiProperty({ example: 'jsonl' }) source!: string;
  @ApiProperty() total!: number;
  @ApiProperty() done!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ description: 'Documents this import created' }) documents!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiPropertyOptional({
    type: [RejectedEntryDto],
    description: 'Entries that did not become documents, with the reason (first 100)',
  })
  rejected?: RejectedEntryDto[];
  @ApiProperty() workflowId!: string;
  @ApiProperty() temporalUiUrl!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ImportListDto {
  @ApiProperty({ type: [ImportDto] }) items!: ImportDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

/** The JSON of each Server-Sent Event of GET /imports/:id/events (besides heartbeats). */
export class ImportEventDto {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty({ enum: IMPORT_STATUSES }) status!: string;
  @ApiProperty() total!: number;
  @ApiProperty() done!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}
