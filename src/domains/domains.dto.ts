import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DOMAIN_MODES,
  DOMAIN_STAGES,
  DOMAIN_STATUSES,
  REVIEW_DECISIONS,
  type DomainMode,
  type DomainStage,
  type DomainStatus,
  type ReviewDecision,
} from './domain.types';
import { MAX_DOMAIN_DESCRIPTION_LENGTH, MAX_DOMAIN_NAME_LENGTH } from './domains.schema';

// Request and response shapes of the domains API, as classes so that Swagger can describe them
// (requests are validated by the zod schemas of domains.schema.ts).

const DOCUMENT_SOURCES = ['seed', 'topic', 'added'] as const;

export class DomainReviewTimingDto {
  @ApiPropertyOptional({ minimum: 1 }) reminderSeconds?: number;
  @ApiPropertyOptional({ minimum: 1 }) timeoutSeconds?: number;
}

export class CreateDomainDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_DOMAIN_NAME_LENGTH }) name!: string;
  @ApiPropertyOptional({ maxLength: MAX_DOMAIN_DESCRIPTION_LENGTH }) description?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 200 })
  seedDocumentIds?: string[];
  @ApiPropertyOptional({ type: [String], maxItems: 20 }) seedTopics?: string[];
  @ApiPropertyOptional({ enum: DOMAIN_MODES, default: 'review' }) mode?: DomainMode;
  @ApiPropertyOptional({ type: [String], maxItems: 50, description: 'User ids of reviewers' })
  reviewers?: string[];
  @ApiPropertyOptional({ type: DomainReviewTimingDto }) review?: DomainReviewTimingDto;
}

export class ReviewDomainDto {
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: ReviewDecision;
  @ApiPropertyOptional({
    maxLength: 4000,
    description: 'Required for reject and request_changes',
  })
  comment?: string;
}

export class AddDomainDocumentsDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 200 })
  documentIds!: string[];
  @ApiPropertyOptional({ maxLength: 500 }) reason?: string;
}

export class DomainDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: DOMAIN_MODES }) mode!: DomainMode;
  @ApiProperty({ enum: DOMAIN_STATUSES }) status!: DomainStatus;
  @ApiProperty({ enum: DOMAIN_STAGES, nullable: true, type: String }) stage!: DomainStage | null;
  @ApiProperty({ type: [String] }) seedTopics!: string[];
  @ApiProperty({ type: [String] }) reviewers!: string[];
  @ApiProperty() createdBy!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ nullable: true, type: String }) overviewKey!: string | null;
  @ApiProperty() revision!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty() documentCount!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) activatedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) archivedAt!: string | null;
  @ApiProperty({ description: "The bootstrap workflow's page in the Temporal Web UI" })
  temporalUiUrl!: string;
}

export class CreatedDomainDto {
  @ApiProperty({ type: DomainDto }) domain!: DomainDto;
  @ApiProperty() workflowId!: string;
  @ApiProperty() temporalUiUrl!: string;
}

export class DomainListDto {
  @ApiProperty({ type: [DomainDto] }) items!: DomainDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class DomainDocumentDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty({ enum: DOCUMENT_SOURCES }) source!: (typeof DOCUMENT_SOURCES)[number];
  @ApiProperty() reason!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: string;
}

export class ReviewRecordDto {
  @ApiProperty() revision!: number;
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: ReviewDecision;
  @ApiProperty() comment!: string;
  @ApiProperty({ description: 'User id of the reviewer' }) reviewer!: string;
  @ApiProperty({ format: 'date-time' }) decidedAt!: string;
}

export class OverviewSummaryDto {
  @ApiProperty() key!: string;
  @ApiProperty() revision!: number;
  @ApiProperty() documentCount!: number;
  @ApiProperty() entityCount!: number;
  @ApiProperty() glossaryCount!: number;
  @ApiProperty() relationCount!: number;
  @ApiProperty() clusterCount!: number;
  @ApiProperty({ type: [String] }) topEntities!: string[];
}

export class PendingReviewDto {
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: [String] }) reviewers!: string[];
  @ApiProperty({ format: 'date-time' }) remindAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty() reminded!: boolean;
}

export class ResearchProgressDto {
  @ApiProperty() seeds!: number;
  @ApiProperty() fromTopics!: number;
  @ApiProperty() processed!: number;
  @ApiProperty({ type: [String], description: 'Ids of documents that failed' }) failed!: string[];
}

export class DomainWorkflowStateDto {
  @ApiProperty({ enum: DOMAIN_STAGES }) stage!: DomainStage;
  @ApiProperty({ enum: DOMAIN_STATUSES }) status!: DomainStatus;
  @ApiProperty({ enum: DOMAIN_MODES }) mode!: DomainMode;
  @ApiProperty() revision!: number;
  @ApiProperty({ type: OverviewSummaryDto, nullable: true }) draft!: OverviewSummaryDto | null;
  @ApiProperty({ type: PendingReviewDto, nullable: true })
  pendingReview!: PendingReviewDto | null;
  @ApiProperty({ type: [ReviewRecordDto] }) decisions!: ReviewRecordDto[];
  @ApiProperty({ type: ResearchProgressDto }) research!: ResearchProgressDto;
}

export class DomainDetailDto extends DomainDto {
  @ApiProperty({ type: [DomainDocumentDto] }) documents!: DomainDocumentDto[];
  @ApiProperty({ type: [ReviewRecordDto] }) reviews!: ReviewRecordDto[];
  @ApiProperty({
    type: DomainWorkflowStateDto,
    nullable: true,
    description: "The bootstrap workflow's own view; null once it is gone",
  })
  workflow!: DomainWorkflowStateDto | null;
}

export class ReviewOutcomeDto {
  @ApiProperty({ enum: [true] }) accepted!: true;
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: ReviewDecision;
  @ApiProperty() revision!: number;
  @ApiProperty({ enum: ['activation', 'rejected', 'redraft'] })
  next!: 'activation' | 'rejected' | 'redraft';
}

export class AddedDomainDocumentsDto {
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty({ type: [String] }) added!: string[];
  @ApiProperty() workflowId!: string;
  @ApiProperty() temporalUiUrl!: string;
}

export class OverviewDocumentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: DOCUMENT_SOURCES }) source!: (typeof DOCUMENT_SOURCES)[number];
  @ApiProperty() reason!: string;
}

export class OverviewEntityDto {
  @ApiProperty() key!: string;
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'PageRank in the domain graph; the top entity has 1' })
  importance!: number;
  @ApiProperty() mentions!: number;
  @ApiProperty() degree!: number;
}

export class GlossarySourceDto {
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() documentTitle!: string;
  @ApiProperty() chunkId!: string;
  @ApiProperty() start!: number;
  @ApiProperty() end!: number;
}

export class GlossaryEntryDto {
  @ApiProperty() term!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'A sentence quoted verbatim from a chunk of a domain document' })
  definition!: string;
  @ApiProperty({ type: GlossarySourceDto }) source!: GlossarySourceDto;
}

export class OverviewRelationDto {
  @ApiProperty() source!: string;
  @ApiProperty() predicate!: string;
  @ApiProperty() target!: string;
  @ApiProperty() weight!: number;
  @ApiProperty() evidenceCount!: number;
}

export class TopicClusterDto {
  @ApiProperty() label!: string;
  @ApiProperty({ type: [String] }) entities!: string[];
}

export class DomainOverviewDto {
  @ApiProperty({ format: 'uuid' }) domainId!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: [String] }) addressedComments!: string[];
  @ApiProperty({ type: [OverviewDocumentDto] }) documents!: OverviewDocumentDto[];
  @ApiProperty({ type: [OverviewEntityDto] }) keyEntities!: OverviewEntityDto[];
  @ApiProperty({ type: [GlossaryEntryDto] }) glossary!: GlossaryEntryDto[];
  @ApiProperty({ type: [OverviewRelationDto] }) relations!: OverviewRelationDto[];
  @ApiProperty({ type: [TopicClusterDto] }) clusters!: TopicClusterDto[];
}
