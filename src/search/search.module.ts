import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { DomainsModule } from '../domains/domains.module';
import { DomainSearchScope } from './domain-scope';
import { ChunkRetriever } from './chunk-retriever';
import { EntitiesController } from './entities.controller';
import { EntitiesService } from './entities.service';
import { SearchCache } from './search-cache';
import { SearchController } from './search.controller';
import { SearchService } from './search.service';
import { GraphNeighbourhoods } from './graph-neighbourhood';

/** POST /search and graph exploration (GET /entities, /graph/neighborhood). Needs StoresModule. */
@Module({
  imports: [DocumentsModule, DomainsModule],
  controllers: [SearchController, EntitiesController],
  providers: [
    SearchService,
    DomainSearchScope,
    EntitiesService,
    ChunkRetriever,
    GraphNeighbourhoods,
    SearchCache,
  ],
})
export class SearchModule {}
