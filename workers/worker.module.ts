import { Module } from '@nestjs/common';
import { ConfigModule } from '../src/config/config.module';
import { StoresModule } from '../src/stores/stores.module';
import { DocumentsRepository } from '../src/documents/documents.repository';
import { DocumentEventsPublisher } from '../src/documents/document-events.publisher';
import { DocumentGraphRepository } from '../src/knowledge/document-graph.repository';
import { ChunkVectorIndex } from '../src/knowledge/chunk-vector.index';

/** The workers' Nest context: the same configuration and store clients as the API, no HTTP. */
@Module({
  imports: [ConfigModule, StoresModule],
  providers: [
    DocumentsRepository,
    DocumentEventsPublisher,
    DocumentGraphRepository,
    ChunkVectorIndex,
  ],
  exports: [
    DocumentsRepository,
    DocumentEventsPublisher,
    DocumentGraphRepository,
    ChunkVectorIndex,
  ],
})
export class WorkerModule {}
