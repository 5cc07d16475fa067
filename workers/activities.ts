import type { INestApplicationContext } from '@nestjs/common';
import type { TaskQueueName } from '../src/config/config';
import { PostgresStore } from '../src/stores/postgres/postgres.store';
import { RedisStore } from '../src/stores/redis/redis.store';
import { Neo4jGraphStore } from '../src/stores/neo4j/neo4j-graph.store';
import { WeaviateVectorStore } from '../src/stores/weaviate/weaviate-vector.store';
import { S3BlobStore } from '../src/stores/s3/s3-blob.store';
import { createGeneralSmokeActivities } from './general/smoke.activities';
import { createAiSmokeActivities } from './ai/smoke.activities';
import { createStorageSmokeActivities } from './storage/smoke.activities';

/** The activities each task queue serves, wired to the shared store clients. */
export function activitiesFor(queue: TaskQueueName, app: INestApplicationContext): object {
  switch (queue) {
    case 'general':
      return { ...createGeneralSmokeActivities(app.get(PostgresStore), app.get(RedisStore)) };
    case 'ai':
      return { ...createAiSmokeActivities() };
    case 'storage':
      return {
        ...createStorageSmokeActivities(
          app.get(Neo4jGraphStore),
          app.get(WeaviateVectorStore),
          app.get(S3BlobStore),
        ),
      };
  }
}
