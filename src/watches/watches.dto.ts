import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ENTITY_TYPES } from '../extraction/types';
import { SEARCH_MODES, type SearchMode } from '../search/search.schema';

export class WatchFiltersDto {
  @ApiPropertyOptional({ enum: ENTITY_TYPES, isArray: true }) types?: string[];
}

export class CreateWatchDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Battery recycling' }) name!: string;
  @ApiProperty({ maxLength: 2000, example: 'recycling of lithium batteries' }) query!: string;
  @ApiPropertyOptional({ enum: SEARCH_MODES, default: 'hybrid' }) mode?: SearchMode;
  @ApiPropertyOptional({ type: WatchFiltersDto }) filters?: WatchFiltersDto;
  @ApiPropertyOptional({
    description:
      'A chunk matches when its cosine similarity to the query (every mode but keyword; default 0.45) or its BM25 score (keyword; default 1) reaches this',
  })
  minScore?: number;
}

export class WatchDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty() query!: string;
  @ApiProperty({ enum: SEARCH_MODES }) mode!: SearchMode;
  @ApiProperty({ type: WatchFiltersDto }) filters!: WatchFiltersDto;
  @ApiProperty() minScore!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WatchListDto {
  @ApiProperty({ type: [WatchDto] }) items!: WatchDto[];
}

export class WatchMatchDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) watchId!: string;
  @ApiProperty({ format: 'uuid' }) documentId!: string;
  @ApiProperty() chunkId!: string;
  @ApiProperty() score!: number;
  @ApiProperty({ description: "The document's title" }) title!: string;
  @ApiProperty({ description: 'The matching passage' }) text!: string;
  @ApiProperty({ format: 'date-time' }) matchedAt!: string;
}

export class WatchMatchListDto {
  @ApiProperty({ type: [WatchMatchDto] }) items!: WatchMatchDto[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
