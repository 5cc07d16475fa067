import { Injectable } from '@nestjs/common';
import { withTimeout } from '../common/timeout';
import { Neo4jGraphStore } from '../stores/neo4j/neo4j-graph.store';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { RedisStore } from '../stores/redis/redis.store';
import { S3BlobStore } from '../stores/s3/s3-blob.store';
import { WeaviateVectorStore } from '../stores/weaviate/weaviate-vector.store';
import { TemporalClientService } from '../temporal/temporal-client.service';

export const DEPENDENCIES = [
  'postgres',
  'redis',
  'temporal',
  'neo4j',
  'weaviate',
  'minio',
] as const;
export type DependencyName = (typeof DEPENDENCIES)[number];

export interface DependencyCheck {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ok' | 'error';
  checks: Record<DependencyName, DependencyCheck>;
  down: DependencyName[];
}

// Short enough that a dead engine never makes the readiness probe itself time out.
const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  private readonly pings: Record<DependencyName, () => Promise<void>>;

  constructor(
    postgres: PostgresStore,
    redis: RedisStore,
    temporal: TemporalClientService,
    graph: Neo4jGraphStore,
    vectors: WeaviateVectorStore,
    blobs: S3BlobStore,
  ) {
    this.pings = {
      postgres: () => postgres.ping(),
      redis: () => redis.ping(),
      temporal: () => temporal.ping(),
      neo4j: () => graph.ping(),
      weaviate: () => vectors.ping(),
      minio: () => blobs.ping(),
    };
  }

  /** Pings every dependency in parallel; each answers within CHECK_TIMEOUT_MS or counts as down. */
  async readiness(): Promise<ReadinessReport> {
    const results = await Promise.all(DEPENDENCIES.map((name) => this.check(name)));
    const checks = Object.fromEntries(
      DEPENDENCIES.map((name, index) => [name, results[index]]),
    ) as Record<DependencyName, DependencyCheck>;
    const down = DEPENDENCIES.filter((name) => checks[name].status === 'down');
    return { status: down.length === 0 ? 'ok' : 'error', checks, down };
  }

  private async check(name: DependencyName): Promise<DependencyCheck> {
    const startedAt = performance.now();
    const latency = () => Math.round((performance.now() - startedAt) * 10) / 10;
    try {
      await withTimeout(this.pings[name](), CHECK_TIMEOUT_MS, `${name} check`);
      return { status: 'ok', latencyMs: latency() };
    } catch (error) {
      return { status: 'down', latencyMs: latency(), error: describeError(error) };
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0)
    return describeError(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
