import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ConcurrencyGate } from '../common/http/concurrency-gate';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { RateLimited } from '../auth/rate-limit.guard';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { searchRequestSchema, type SearchRequest } from './search.schema';
import { SearchService } from './search.service';
import type { SearchResponse } from './search.types';
import { SearchRequestDto, SearchResponseDto } from './search.dto';

/** Searches one API process runs at once; more are answered 503 (see ConcurrencyGate). */
export const MAX_CONCURRENT_SEARCHES = 8;

@ApiTags('search')
@Controller('search')
export class SearchController {
  // Searches embed the query on this process's CPU: a few at once use it fully.
  private readonly gate = new ConcurrencyGate(
    MAX_CONCURRENT_SEARCHES,
    'Search is busy; try again in a moment.',
  );

  constructor(private readonly searchService: SearchService) {}

  @Post()
  @HttpCode(200)
  @RateLimited('search')
  @ApiOperation({
    summary: 'Search chunks semantically, by keywords and through the knowledge graph',
    description:
      'Body: {query, limit 1–100 (10), mode vector|keyword|hybrid|graph|auto (auto), hops 0–3 (2), domainId? (an active domain: hits only from its documents; unknown domain → 400; an inactive one → 400 unless includeInactive: true), filters?: {documentIds?, types?}}. Each hit carries its score parts and the graph paths linking the query to it. "Cache-Control: no-cache" recomputes instead of reading the result cache.',
  })
  @ApiBody({ type: SearchRequestDto })
  @ApiHeader({
    name: 'cache-control',
    required: false,
    description: '"no-cache" recomputes instead of reading the result cache',
  })
  @ApiOkResponse({
    type: SearchResponseDto,
    description: 'Hits, the entities the query names and related entities',
  })
  @ApiBadRequestResponse({ description: 'Empty or too long query, bad limit/hops/mode/filters' })
  async search(
    @CurrentWorkspace() workspaceId: string,
    @Body(new ZodValidationPipe(searchRequestSchema)) request: SearchRequest,
    @Headers('cache-control') cacheControl?: string,
  ): Promise<SearchResponse> {
    return await this.gate.run(() =>
      this.searchService.search(workspaceId, request, {
        bypassCache: /\bno-cache\b/i.test(cacheControl ?? ''),
      }),
    );
  }
}
