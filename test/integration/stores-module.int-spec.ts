import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '../../src/config/config.module';
import { HealthService } from '../../src/health/health.service';
import { Neo4jGraphStore } from '../../src/stores/neo4j/neo4j-graph.store';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';
import { RedisStore } from '../../src/stores/redis/redis.store';
import { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { StoresModule } from '../../src/stores/stores.module';
import { WeaviateVectorStore } from '../../src/stores/weaviate/weaviate-vector.store';
import { TemporalModule } from '../../src/temporal/temporal.module';

jest.setTimeout(60_000);

// What a worker process builds: a Nest application context without HTTP.
@Module({ imports: [ConfigModule, StoresModule, TemporalModule], providers: [HealthService] })
class WorkerLikeModule {}

describe('StoresModule in Nest application contexts (real engines)', () => {
  it('bootstraps twice concurrently (API and worker starting together), pings all, closes cleanly', async () => {
    const contexts = await Promise.all([
      NestFactory.createApplicationContext(WorkerLikeModule, { logger: ['error'] }),
      NestFactory.createApplicationContext(WorkerLikeModule, { logger: ['error'] }),
    ]);
    try {
      for (const context of contexts) {
        for (const store of [
          PostgresStore,
          RedisStore,
          Neo4jGraphStore,
          WeaviateVectorStore,
          S3BlobStore,
        ]) {
          expect(context.get(store)).toBeInstanceOf(store);
        }
        const report = await context.get(HealthService).readiness();
        expect(report).toMatchObject({ status: 'ok', down: [] });
      }
      // One client per process: the same instance wherever it is injected.
      expect(contexts[0].get(PostgresStore)).toBe(contexts[0].get(PostgresStore));
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
    // quit() resolves on Redis' reply; the socket closes a moment later.
    const redis = contexts[0].get(RedisStore).client;
    for (let wait = 0; wait < 20 && redis.status !== 'end'; wait++)
      await new Promise((done) => setTimeout(done, 50));
    expect(redis.status).toBe('end');
  });
});
