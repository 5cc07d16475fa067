import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { Neo4jGraphStore } from './neo4j/neo4j-graph.store';
import { PostgresStore } from './postgres/postgres.store';
import { S3BlobStore } from './s3/s3-blob.store';
import { WeaviateVectorStore } from './weaviate/weaviate-vector.store';

// Engines may still be starting when Cairn starts (npm start launches everything at once).
const STARTUP_DEADLINE_MS = 60_000;
const MAX_RETRY_DELAY_MS = 3_000;

/**
 * Runs every idempotent "make sure it exists" step once at start: Postgres migrations and the
 * default workspace, Neo4j constraints, the Weaviate collection and default tenant, the bucket.
 * Each engine is retried until it answers or the deadline passes, then start-up fails.
 */
@Injectable()
export class StoresBootstrapService implements OnModuleInit {
  private readonly logger = new Logger(StoresBootstrapService.name);

  constructor(
    @InjectConfig() private readonly config: CairnConfig,
    private readonly postgres: PostgresStore,
    private readonly graph: Neo4jGraphStore,
    private readonly vectors: WeaviateVectorStore,
    private readonly blobs: S3BlobStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const workspaceId = this.config.CAIRN_DEFAULT_WORKSPACE;
    await Promise.all([
      this.untilReady('postgres', () => this.postgres.ensureSchema()),
      this.untilReady('neo4j', () => this.graph.ensureSchema()),
      this.untilReady('weaviate', async () => {
        await this.vectors.ensureSchema();
        await this.vectors.ensureTenant(workspaceId);
      }),
      this.untilReady('minio', () => this.blobs.ensureBucket()),
    ]);
    this.logger.log('stores ready: schema, constraints, collection, tenant and bucket in place');
  }

  private async untilReady(engine: string, step: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + STARTUP_DEADLINE_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await step();
        return;
      } catch (error) {
        const message = (error as Error).message;
        if (Date.now() >= deadline) {
          throw new Error(`${engine} not ready after ${STARTUP_DEADLINE_MS / 1000}s: ${message}`, {
            cause: error,
          });
        }
        this.logger.warn(`${engine} not ready yet (attempt ${attempt}): ${message}`);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * 2 ** attempt, MAX_RETRY_DELAY_MS)),
        );
      }
    }
  }
}
