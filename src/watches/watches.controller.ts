import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { type AuditContext, CurrentAuditContext } from '../auth/audit-context';
import { RequireRole } from '../auth/principal';
import { pagingQueryShape } from '../common/http/paging';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { ENTITY_TYPES } from '../extraction/types';
import { MAX_QUERY_LENGTH, SEARCH_MODES } from '../search/search.schema';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { CreateWatchDto, WatchDto, WatchListDto, WatchMatchListDto } from './watches.dto';
import { WatchesService } from './watches.service';

const createWatchSchema = z
  .object({
    name: z
      .string({ required_error: 'name is required', invalid_type_error: 'name must be a string' })
      .trim()
      .min(1, 'name must not be empty')
      .max(200, 'name must be at most 200 characters'),
    query: z
      .string({ required_error: 'query is required', invalid_type_error: 'query must be a string' })
      .max(MAX_QUERY_LENGTH, `query must be at most ${MAX_QUERY_LENGTH} characters`)
      .refine((query) => query.trim() !== '', 'query must not be empty or whitespace'),
    mode: z
      .enum(SEARCH_MODES, {
        errorMap: () => ({ message: `mode must be one of ${SEARCH_MODES.join(', ')}` }),
      })
      .default('hybrid'),
    filters: z
      .object({
        types: z
          .array(
            z.enum(ENTITY_TYPES as [string, ...string[]], {
              errorMap: () => ({ message: `must be one of ${ENTITY_TYPES.join(', ')}` }),
            }),
          )
          .min(1, 'types must name at least one entity type')
          .max(ENTITY_TYPES.length)
          .optional(),
      })
      .strict()
      .optional(),
    minScore: z
      .number({ invalid_type_error: 'minScore must be a number' })
      .min(0, 'minScore must be at least 0')
      .max(1_000, 'minScore must be at most 1000')
      .optional(),
  })
  .strict()
  .superRefine((watch, context) => {
    if (watch.mode !== 'keyword' && watch.minScore !== undefined && watch.minScore > 1) {
      context.addIssue({
        code: 'custom',
        path: ['minScore'],
        message: 'minScore is a cosine similarity (0 to 1) in every mode but keyword',
      });
    }
  });

const idParam = z.string().uuid('must be a watch id (UUID)');
const matchesQuery = z.object(pagingQueryShape);

@ApiTags('watches')
@Controller('watches')
export class WatchesController {
  constructor(private readonly watches: WatchesService) {}

  @Post()
  @RequireRole('editor')
  @ApiOperation({
    summary:
      'Watch for new knowledge: a standing search run against every document indexed from now on',
    description:
      "Each matching chunk is recorded (GET /watches/:id/matches), published on GET /events and sent to the workspace's webhooks (watch.matched).",
  })
  @ApiBody({ type: CreateWatchDto })
  @ApiCreatedResponse({ type: WatchDto })
  @ApiBadRequestResponse()
  create(
    @CurrentAuditContext() audit: AuditContext,
    @Body(new ZodValidationPipe(createWatchSchema)) input: z.infer<typeof createWatchSchema>,
  ): Promise<WatchDto> {
    return this.watches.create(audit, input);
  }

  @Get()
  @ApiOperation({ summary: "The workspace's watches" })
  @ApiOkResponse({ type: WatchListDto })
  async list(@CurrentWorkspace() workspaceId: string): Promise<WatchListDto> {
    return { items: await this.watches.list(workspaceId) };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('editor')
  @ApiOperation({ summary: 'Delete a watch and its matches' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse()
  async remove(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id', new ZodValidationPipe(idParam)) id: string,
  ): Promise<void> {
    await this.watches.remove(audit, id);
  }

  @Get(':id/matches')
  @ApiOperation({ summary: "A watch's matches, newest first" })
  @ApiOkResponse({ type: WatchMatchListDto })
  @ApiNotFoundResponse()
  async matches(
    @CurrentWorkspace() workspaceId: string,
    @Param('id', new ZodValidationPipe(idParam)) id: string,
    @Query(new ZodValidationPipe(matchesQuery)) page: z.infer<typeof matchesQuery>,
  ): Promise<WatchMatchListDto> {
    return { ...(await this.watches.matches(workspaceId, id, page)), ...page };
  }
}
