import { AuditService } from '../src/auth/audit.service';
import { Module } from '@nestjs/common';
import { ConfigModule } from '../src/config/config.module';
import { StoresModule } from '../src/stores/stores.module';
import { DocumentsRepository } from '../src/documents/documents.repository';
import { DocumentEventsPublisher } from '../src/documents/document-events.publisher';
import { DocumentGraphRepository } from '../src/knowledge/document-graph.repository';
import { ChunkVectorIndex } from '../src/knowledge/chunk-vector.index';
import { DomainsRepository } from '../src/domains/domains.repository';
import { DomainGraphRepository } from '../src/domains/domain-graph.repository';
import { ChunkRetriever } from '../src/search/chunk-retriever';
import { SearchCache } from '../src/search/search-cache';
import { DomainSearchScope } from '../src/search/domain-scope';
import { SearchService } from '../src/search/search.service';
import { GraphNeighbourhoods } from '../src/search/graph-neighbourhood';
import { TemporalModule } from '../src/temporal/temporal.module';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher';
import { WebhooksRepository } from '../src/webhooks/webhooks.repository';
import { WatchesRepository } from '../src/watches/watches.repository';

// Domain research runs Cairn's own search inside the ai worker.
const domainProviders = [
  DomainsRepository,
  DomainGraphRepository,
  SearchService,
  DomainSearchScope,
  ChunkRetriever,
  GraphNeighbourhoods,
  SearchCache,
];

/** The workers' Nest context: the same configuration and store clients as the API, no HTTP. */
@Module({
  // Temporal: the workers start webhook deliveries (and watch checks) as workflows of their own.
  imports: [ConfigModule, StoresModule, TemporalModule],
  providers: [
    AuditService,
    DocumentsRepository,
    DocumentEventsPublisher,
    DocumentGraphRepository,
    ChunkVectorIndex,
    ...domainProviders,
    WebhooksRepository,
    WebhookDispatcher,
    WatchesRepository,
  ],
  exports: [
    DocumentsRepository,
    DocumentEventsPublisher,
    DocumentGraphRepository,
    ChunkVectorIndex,
    ...domainProviders,
    WebhooksRepository,
    WebhookDispatcher,
    WatchesRepository,
  ],
})
export class WorkerModule {}
