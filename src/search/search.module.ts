import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module';
import { ChunkRetriever } from './chunk-retriever';
import { EntitiesController } from './entities.controller';
import { EntitiesService } from './entities.service';
import { SearchCache } from './search-cache';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { WorkspaceGraphLoader } from './workspace-graph.loader';

/** POST /search and graph exploration (GET /entities, /graph/neighborhood). Needs StoresModule. */
@Module({
  imports: [DomainsModule],
  controllers: [SearchController, EntitiesController],
  providers: [SearchService, EntitiesService, ChunkRetriever, WorkspaceGraphLoader, SearchCache],
})
export class SearchModule {}
