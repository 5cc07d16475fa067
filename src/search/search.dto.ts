import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENTITY_TYPES } from '../extraction/types';
import { DEFAULT_HOPS, MAX_HOPS, MAX_LIMIT, MAX_QUERY_LENGTH, SEARCH_MODES } from './search.schema';
import type { SearchMode } from './search.schema';

// Request and response shapes of search and graph exploration, as classes so that Swagger can
// describe them (requests are validated by zod: search.schema.ts and entities.controller.ts).

export class SearchFiltersDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: 1000 })
  documentIds?: string[];
  @ApiPropertyOptional({ enum: ENTITY_TYPES, isArray: true }) types?: string[];
}

export class SearchRequestDto {
  @ApiProperty({ maxLength: MAX_QUERY_LENGTH }) query!: string;
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: 10 }) limit?: number;
  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'auto' }) mode?: SearchMode;
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_HOPS, default: DEFAULT_HOPS }) hops?: number;
  @ApiPropertyOptional({ description: 'An active domain: hits only from its documents' })
  domainId?: string;
  @ApiPropertyOptional({ default: false, description: 'With domainId: also a domain not active' })
  includeInactive?: boolean;
  @ApiPropertyOptional({ type: SearchFiltersDto }) filters?: SearchFiltersDto;
}

export class EntityRefDto {
  @ApiProperty({ description: 'Canonical key; the id of entity routes' }) key!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ENTITY_TYPES }) type!: string;
}

export class LinkedEntityDto extends EntityRefDto {
  @ApiProperty({ description: 'The words of the query that name the entity' })
  matchedText!: string;
  @ApiProperty({ enum: ['name', 'alias', 'fuzzy'] }) method!: 'name' | 'alias' | 'fuzzy';
  @ApiProperty() confidence!: number;
}

export class RelatedEntityDto extends EntityRefDto {
  @ApiProperty({ description: 'Personalised PageRank mass reached from the query (relative)' })
  score!: number;
  @ApiProperty() mentions!: number;
}

export class PathRelationDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty() predicate!: string;
  @ApiProperty({ description: 'False when the relation was stated the other way round' })
  forward!: boolean;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() chunkId!: string;
}

export class GraphPathDto {
  @ApiProperty({ type: [EntityRefDto] }) entities!: EntityRefDto[];
  @ApiProperty({ type: [PathRelationDto] }) relations!: PathRelationDto[];
  @ApiProperty({ example: 'A —born in→ B —capital of→ C' }) text!: string;
}

export class ScorePartsDto {
  @ApiProperty() vector!: number;
  @ApiProperty() keyword!: number;
  @ApiProperty() graph!: number;
}

export class SearchSignalsDto {
  @ApiPropertyOptional() vectorSimilarity?: number;
  @ApiPropertyOptional() keywordScore?: number;
  @ApiPropertyOptional() graphRank?: number;
}

export class SearchHitDto {
  @ApiProperty() chunkId!: string;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'Character offset of the passage in the extracted text' })
  start!: number;
  @ApiProperty() end!: number;
  @ApiProperty({ nullable: true, type: Number }) page!: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Where the passage sits in its source: "page 4" (with "(OCR, 91% confidence)" for scanned pages), "slide 3", "slide 3 notes", "sheet Sales, rows 2–9", "rows 5–7" (CSV), "chapter 2: Title", "footnotes", "comments", "message body"; null for formats without places (plain text, Markdown, HTML)',
  })
  locator!: string | null;
  @ApiProperty() score!: number;
  @ApiProperty({ type: ScorePartsDto, description: "Each signal's share of score" })
  scoreParts!: ScorePartsDto;
  @ApiProperty({ type: SearchSignalsDto }) signals!: SearchSignalsDto;
  @ApiProperty({ type: [EntityRefDto] }) entities!: EntityRefDto[];
  @ApiProperty({ type: [GraphPathDto] }) paths!: GraphPathDto[];
}

export class SearchResponseDto {
  @ApiProperty() query!: string;
  @ApiProperty({ enum: SEARCH_MODES }) mode!: SearchMode;
  @ApiProperty() hops!: number;
  @ApiProperty({ type: [SearchHitDto] }) hits!: SearchHitDto[];
  @ApiProperty({ type: [LinkedEntityDto] }) linkedEntities!: LinkedEntityDto[];
  @ApiProperty({ type: [RelatedEntityDto] }) relatedEntities!: RelatedEntityDto[];
  @ApiProperty() cached!: boolean;
  @ApiProperty() tookMs!: number;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: 'Milliseconds per step of a computed answer',
  })
  timings?: Record<string, number>;
}

export class EntitySummaryDto extends EntityRefDto {
  @ApiProperty({ type: [String] }) aliases!: string[];
  @ApiProperty() mentions!: number;
}

export class EntitySearchDto {
  @ApiProperty({ type: [EntitySummaryDto] }) entities!: EntitySummaryDto[];
}

export class EntityDocumentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() mentions!: number;
}

export class EntityRelationDto {
  @ApiProperty() predicate!: string;
  @ApiProperty({ enum: ['out', 'in'] }) direction!: 'out' | 'in';
  @ApiProperty({ type: EntityRefDto }) entity!: EntityRefDto;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() chunkId!: string;
}

export class EntityDetailDto extends EntitySummaryDto {
  @ApiProperty({ type: [EntityDocumentDto] }) documents!: EntityDocumentDto[];
  @ApiProperty({ type: [EntityRelationDto] }) relations!: EntityRelationDto[];
}

export class NeighborhoodNodeDto extends EntityRefDto {
  @ApiProperty() id!: string;
  @ApiProperty() label!: string;
  @ApiProperty() mentions!: number;
  @ApiProperty({ description: 'Relation steps from the centre entity' }) depth!: number;
}

export class NeighborhoodEdgeDto {
  @ApiProperty() id!: string;
  @ApiProperty() source!: string;
  @ApiProperty() target!: string;
  @ApiProperty({ description: "The strongest relation's predicate" }) label!: string;
  @ApiProperty() weight!: number;
  @ApiProperty({ description: 'How many relations join the pair' }) count!: number;
}

export class NeighborhoodDto {
  @ApiProperty() center!: string;
  @ApiProperty({ type: [NeighborhoodNodeDto] }) nodes!: NeighborhoodNodeDto[];
  @ApiProperty({ type: [NeighborhoodEdgeDto] }) edges!: NeighborhoodEdgeDto[];
  @ApiProperty({ description: 'True when the cap left nodes out' }) truncated!: boolean;
}
