import { Global, Module } from '@nestjs/common';
import { CairnConfig } from '../config/config';
import { CONFIG } from '../config/config.module';
import { Neo4jGraphStore } from './neo4j/neo4j-graph.store';
import { PostgresStore } from './postgres/postgres.store';
import { RedisStore } from './redis/redis.store';
import { S3BlobStore } from './s3/s3-blob.store';
import { StoresBootstrapService } from './stores-bootstrap.service';
import { WeaviateVectorStore } from './weaviate/weaviate-vector.store';

/**
 * One client per store for the whole process, shared by the API and the workers. Needs the
 * global ConfigModule. Each store closes its client in onModuleDestroy.
 */
@Global()
@Module({
  providers: [
    PostgresStore,
    RedisStore,
    Neo4jGraphStore,
    S3BlobStore,
    {
      provide: WeaviateVectorStore,
      useFactory: (config: CairnConfig) => WeaviateVectorStore.connect(config),
      inject: [CONFIG],
    },
    StoresBootstrapService,
  ],
  exports: [PostgresStore, RedisStore, Neo4jGraphStore, S3BlobStore, WeaviateVectorStore],
})
export class StoresModule {}
