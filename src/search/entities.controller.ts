import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import {
  EntitiesService,
  type EntityDetail,
  type EntitySummary,
  type Neighborhood,
} from './entities.service';
import { EntityDetailDto, EntitySearchDto, NeighborhoodDto } from './search.dto';

const boundedNumber = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${name} must be between ${min} and ${max}`)
        .max(max, `${name} must be between ${min} and ${max}`),
    )
    .default(String(fallback));

const entitySearchSchema = z.object({
  query: z
    .string({ required_error: 'query is required' })
    .max(200, 'query must be at most 200 characters')
    .refine((query) => query.trim() !== '', 'query must not be empty or whitespace'),
  limit: boundedNumber('limit', 1, 100, 20),
});

const neighborhoodSchema = z.object({
  entityId: z
    .string({ required_error: 'entityId is required' })
    .min(1, 'entityId must not be empty')
    .max(500, 'entityId must be at most 500 characters'),
  hops: boundedNumber('hops', 1, 3, 1),
  limit: boundedNumber('limit', 1, 200, 200),
});

/** Entity search and graph exploration; entity ids are their canonical keys. */
@ApiTags('entities')
@Controller()
export class EntitiesController {
  constructor(private readonly entities: EntitiesService) {}

  @Get('entities')
  @ApiOperation({ summary: 'Entities whose name or alias matches the query' })
  @ApiOkResponse({ type: EntitySearchDto })
  @ApiBadRequestResponse()
  @ApiQuery({ name: 'query', required: true, schema: { type: 'string', maxLength: 200 } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  async search(
    @CurrentWorkspace() workspaceId: string,
    @Query(new ZodValidationPipe(entitySearchSchema)) input: z.infer<typeof entitySearchSchema>,
  ): Promise<{ entities: EntitySummary[] }> {
    return { entities: await this.entities.search(workspaceId, input.query, input.limit) };
  }

  @Get('entities/:id')
  @ApiOperation({ summary: 'One entity: aliases, type, mentions, documents and relations' })
  @ApiOkResponse({ type: EntityDetailDto })
  @ApiNotFoundResponse()
  get(@CurrentWorkspace() workspaceId: string, @Param('id') id: string): Promise<EntityDetail> {
    return this.entities.get(workspaceId, id);
  }

  @Get('graph/neighborhood')
  @ApiOperation({
    summary: 'Nodes and edges around an entity, ready to draw (at most 200 nodes)',
  })
  @ApiOkResponse({ type: NeighborhoodDto })
  @ApiNotFoundResponse()
  @ApiBadRequestResponse()
  @ApiQuery({ name: 'entityId', required: true, schema: { type: 'string', maxLength: 500 } })
  @ApiQuery({
    name: 'hops',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 3, default: 1 },
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 200 },
  })
  neighborhood(
    @CurrentWorkspace() workspaceId: string,
    @Query(new ZodValidationPipe(neighborhoodSchema)) input: z.infer<typeof neighborhoodSchema>,
  ): Promise<Neighborhood> {
    return this.entities.neighborhood(workspaceId, input.entityId, input.hops, input.limit);
  }
}
