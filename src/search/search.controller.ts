import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { Admitted } from '../auth/admission.guard';
import { RateLimited } from '../auth/rate-limit.guard';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { searchRequestSchema, type SearchRequest } from './search.schema';
import { SearchService } from './search.service';
import type { SearchResponse } from './search.types';
import { SearchRequestDto, SearchResponseDto } from './search.dto';

@ApiTags('search')
@Controller('search')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Post()
  @HttpCode(200)
  // At most MAX_CONCURRENT.search at once per process, shed before the rate budget is drawn.
  @Admitted('search')
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
    return await this.searchService.search(workspaceId, request, {
      bypassCache: /\bno-cache\b/i.test(cacheControl ?? ''),
    });
  }
}
