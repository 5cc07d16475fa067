import { AuditService } from '../src/auth/audit.service';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import type { TaskQueueName } from '../src/config/config';
import { PostgresStore } from '../src/stores/postgres/postgres.store';
import { RedisStore } from '../src/stores/redis/redis.store';
import { Neo4jGraphStore } from '../src/stores/neo4j/neo4j-graph.store';
import { WeaviateVectorStore } from '../src/stores/weaviate/weaviate-vector.store';
import { S3BlobStore } from '../src/stores/s3/s3-blob.store';
import { DocumentsRepository } from '../src/documents/documents.repository';
import { DocumentEventsPublisher } from '../src/documents/document-events.publisher';
import { DocumentGraphRepository } from '../src/knowledge/document-graph.repository';
import { ChunkVectorIndex } from '../src/knowledge/chunk-vector.index';
import {
  NlpKnowledgeExtractor,
  OpenAiCompatibleExtractor,
  type KnowledgeExtractor,
} from '../src/extraction';
import { CONFIG } from '../src/config/config.module';
import type { CairnConfig } from '../src/config/config';
import { Embedder, bulkParallelPasses } from '../src/embedding/embedder';
import { bumpContentVersion } from '../src/search/content-version';
import { createGeneralSmokeActivities } from './general/smoke.activities';
import { createDocumentBookkeepingActivities } from './general/document-bookkeeping.activities';
import { createImportActivities, importActivityDependencies } from './general/import.activities';
import { createAttachmentActivities } from './general/attachment.activities';
import { AttachmentsRepository } from '../src/documents/attachments.repository';
import { createAiSmokeActivities } from './ai/smoke.activities';
import { createAnalysisActivities } from './ai/analysis.activities';
import { createStorageSmokeActivities } from './storage/smoke.activities';
import { createStoreWriteActivities } from './storage/store-write.activities';
import { DomainsRepository } from '../src/domains/domains.repository';
import { DomainGraphRepository } from '../src/domains/domain-graph.repository';
import { SearchService } from '../src/search/search.service';
import { createDomainBookkeepingActivities } from './general/domain-bookkeeping.activities';
import { createDomainResearchActivities } from './ai/domain-research.activities';
import { createDomainContentActivities } from './storage/domain-content.activities';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher';
import { WebhooksRepository } from '../src/webhooks/webhooks.repository';
import { SecretOpener } from '../src/common/sealed-secrets';
import { OutboundAddressPolicy } from '../src/common/http/outbound-address';
import { createWebhookDeliveryActivities } from './general/webhook-delivery.activities';
import { watchCheckStarter, webhookEmitter } from './general/workspace-notifications';
import { WorkflowGateway } from '../src/temporal/workflow-gateway';
import { WatchesRepository } from '../src/watches/watches.repository';
import { createWatchCheckActivities } from './ai/watch-check.activities';

/** The activities each task queue serves, wired to the shared store clients. */
export function activitiesFor(queue: TaskQueueName, app: INestApplicationContext): object {
  switch (queue) {
    case 'general': {
      const config = app.get<CairnConfig>(CONFIG);
      const emitWebhookEvent = webhookEmitter(app.get(WebhookDispatcher));
      return {
        ...createGeneralSmokeActivities(app.get(PostgresStore), app.get(RedisStore)),
        ...createDocumentBookkeepingActivities(
          app.get(DocumentsRepository),
          app.get(DocumentEventsPublisher),
          emitWebhookEvent,
          { bump: (workspaceId) => bumpContentVersion(app.get(RedisStore).client, workspaceId) },
          watchCheckStarter(app.get(WatchesRepository), app.get(WorkflowGateway)),
        ),
        ...createImportActivities(
          importActivityDependencies(app, (details) => Context.current().heartbeat(details)),
        ),
        ...createAttachmentActivities({
          documents: app.get(DocumentsRepository),
          attachments: new AttachmentsRepository(app.get(PostgresStore)),
          blobs: app.get(S3BlobStore),
          workflows: app.get(WorkflowGateway),
          maxBytes: config.CAIRN_MAX_UPLOAD_BYTES,
          heartbeat,
        }),
        ...createDomainBookkeepingActivities({
          domains: app.get(DomainsRepository),
          documents: app.get(DocumentsRepository),
          publish: (channel, message) => app.get(RedisStore).client.publish(channel, message),
          emitWebhookEvent,
          auditActivation: ({ workspaceId, domainId }) =>
            app.get(AuditService).recordOnce({
              workspaceId,
              actor: null,
              action: 'domain.activated',
              targetType: 'domain',
              targetId: domainId,
            }),
          heartbeat,
        }),
        ...createWebhookDeliveryActivities({
          webhooks: app.get(WebhooksRepository),
          opener: config.CAIRN_SECRETS_PRIVATE_KEY
            ? new SecretOpener(config.CAIRN_SECRETS_PRIVATE_KEY)
            : undefined,
          policy: new OutboundAddressPolicy(config.CAIRN_OUTBOUND_ALLOWED_NETWORKS),
        }),
      };
    }
    case 'ai':
      return {
        ...createAiSmokeActivities(),
        ...createAnalysisActivities({
          documents: app.get(DocumentsRepository),
          blobs: app.get(S3BlobStore),
          extractor: createExtractor(app.get<CairnConfig>(CONFIG)),
          embedder: bulkEmbedder(app.get<CairnConfig>(CONFIG)),
          heartbeat,
          ocr: {
            enabled: app.get<CairnConfig>(CONFIG).CAIRN_OCR_ENABLED,
            languages: app.get<CairnConfig>(CONFIG).CAIRN_OCR_LANGUAGES,
          },
        }),
        ...createDomainResearchActivities({
          domains: app.get(DomainsRepository),
          search: app.get(SearchService),
          heartbeat,
        }),
        ...createWatchCheckActivities({
          watches: app.get(WatchesRepository),
          search: app.get(SearchService),
          publish: (channel, message) => app.get(RedisStore).client.publish(channel, message),
          dispatch: (event) => app.get(WebhookDispatcher).dispatch(event),
        }),
      };
    case 'storage':
      return {
        ...createStorageSmokeActivities(
          app.get(Neo4jGraphStore),
          app.get(WeaviateVectorStore),
          app.get(S3BlobStore),
        ),
        ...createStoreWriteActivities({
          documents: app.get(DocumentsRepository),
          blobs: app.get(S3BlobStore),
          graph: app.get(DocumentGraphRepository),
          vectors: app.get(ChunkVectorIndex),
          heartbeat,
        }),
        ...createDomainContentActivities({
          domains: app.get(DomainsRepository),
          graph: app.get(DomainGraphRepository),
          blobs: app.get(S3BlobStore),
          chunks: app.get(ChunkVectorIndex),
        }),
      };
  }
}

/**
 * Reports liveness to Temporal from inside an activity, at most once a second: the steps call it
 * per document, and the SDK sends the server far fewer beats than that anyway.
 */
const HEARTBEAT_EVERY_MS = 1_000;
const lastHeartbeat = new WeakMap<Context, number>();
const heartbeat = (details?: unknown) => {
  const context = Context.current();
  const now = Date.now();
  if (now - (lastHeartbeat.get(context) ?? 0) < HEARTBEAT_EVERY_MS) return;
  lastHeartbeat.set(context, now);
  context.heartbeat(details);
};

/** The configured knowledge extractor: local NLP by default, or an OpenAI-compatible endpoint. */
function createExtractor(config: CairnConfig): KnowledgeExtractor {
  if (config.CAIRN_EXTRACTOR === 'llm') {
    return new OpenAiCompatibleExtractor({
      baseUrl: config.CAIRN_LLM_BASE_URL,
      model: config.CAIRN_LLM_MODEL,
      ...(config.CAIRN_LLM_API_KEY ? { apiKey: config.CAIRN_LLM_API_KEY } : {}),
    });
  }
  return new NlpKnowledgeExtractor();
}

/**
 * The ai worker's model: passes side by side on threads of their own, loaded as the worker starts
 * (so the first batch does not wait for it; a failed load is tried again on first use) and loaded
 * again if a thread has died (the next attempt of the activity succeeds).
 */
function bulkEmbedder(config: CairnConfig): () => Promise<Embedder> {
  const parallelPasses = bulkParallelPasses(config.CAIRN_EMBEDDING_PARALLEL_PASSES);
  const modelDir = config.CAIRN_EMBEDDING_MODEL_DIR;
  let loading: Promise<Embedder> | undefined;
  let current: Embedder | undefined;
  const embedder = async () => {
    if (current && !current.usable) {
      void current.close().catch(() => undefined);
      current = undefined;
      loading = undefined;
    }
    loading ??= Embedder.load({ modelDir, parallelPasses }).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    current = await loading;
    return current;
  };
  void embedder().catch((error: unknown) =>
    new Logger('Embedder').warn(
      `the model did not load at start; it is tried again on first use: ${String(error)}`,
    ),
  );
  return embedder;
}
