import { Injectable, OnModuleDestroy } from '@nestjs/common';
import weaviate, { Collection, WeaviateClient } from 'weaviate-client';
import { CairnConfig } from '../../config/config';
import { assertWorkspaceId } from '../../common/ids';
import type { Attributes } from '@opentelemetry/api';
import { inClientSpan, weaviateAttributes } from '../../observability/spans';

export const CHUNK_COLLECTION = 'Chunk';
/** all-MiniLM-L6-v2; Weaviate fixes a collection's dimension at its first insert. */
export const CHUNK_VECTOR_DIMENSIONS = 384;

/** One passage of a document as stored in Weaviate; its vector is supplied by Cairn. */
export type ChunkProperties = {
  text: string;
  title: string;
  documentId: string;
  workspaceId: string;
  ord: number;
  startOffset: number;
  endOffset: number;
  page?: number;
  /** Where the chunk sits in its source ("slide 3", "sheet Sales, rows 2–9"). */
  locator?: string;
  domainId?: string;
  entityKeys: string[];
};

export type ChunkCollection = Collection<ChunkProperties, typeof CHUNK_COLLECTION>;

/**
 * Chunks of every workspace live in one multi-tenant collection, tenant = workspace id. Each
 * tenant is its own shard with its own vector index and BM25 statistics, so one workspace's data
 * can neither show up in nor skew another's search, and deleting a workspace drops a tenant.
 * Tenants are created explicitly (autoTenantCreation off: a typo must not silently create an
 * empty workspace) and reactivated automatically when a cold tenant is touched.
 */
@Injectable()
export class WeaviateVectorStore implements OnModuleDestroy {
  private readonly knownTenants = new Set<string>();

  private constructor(readonly client: WeaviateClient) {}

  /**
   * No I/O here (init checks skipped): the API and workers may start before Weaviate answers,
   * and the client's HTTP and gRPC channels reconnect on their own when it comes back.
   */
  static async connect(config: CairnConfig): Promise<WeaviateVectorStore> {
    const http = new URL(config.WEAVIATE_URL);
    const [grpcHost, grpcPort] = splitHostPort(config.WEAVIATE_GRPC_URL);
    const secure = http.protocol === 'https:';
    const client = await weaviate.connectToCustom({
      httpHost: http.hostname,
      httpPort: Number(http.port || (secure ? 443 : 80)),
      httpPath: http.pathname === '/' ? '' : http.pathname,
      httpSecure: secure,
      grpcHost,
      grpcPort,
      grpcSecure: secure,
      timeout: { init: 2, query: 30, insert: 60 },
      skipInitChecks: true,
    });
    return new WeaviateVectorStore(client);
  }

  async ensureSchema(): Promise<void> {
    if (await this.collectionExists()) {
      await this.ensureLocatorProperty();
      return;
    }
    const { configure } = weaviate;
    const { dataType, tokenization } = configure;
    const exactMatch = {
      tokenization: tokenization.FIELD,
      indexSearchable: false,
      indexFilterable: true,
    };
    try {
      await restCall('POST', '/v1/schema', 'createCollection', undefined, () =>
        this.client.collections.create<ChunkProperties>({
          name: CHUNK_COLLECTION,
          description: 'Passages of documents, one tenant per workspace',
          multiTenancy: configure.multiTenancy({
            enabled: true,
            autoTenantCreation: false,
            autoTenantActivation: true,
          }),
          vectorizers: configure.vectors.selfProvided({
            vectorIndexConfig: configure.vectorIndex.hnsw({ distanceMetric: 'cosine' }),
          }),
          invertedIndex: configure.invertedIndex({ indexNullState: true }),
          properties: [
            {
              name: 'text',
              dataType: dataType.TEXT,
              tokenization: tokenization.WORD,
              indexSearchable: true,
            },
            {
              name: 'title',
              dataType: dataType.TEXT,
              tokenization: tokenization.WORD,
              indexSearchable: true,
            },
            { name: 'documentId', dataType: dataType.TEXT, ...exactMatch },
            { name: 'workspaceId', dataType: dataType.TEXT, ...exactMatch },
            { name: 'ord', dataType: dataType.INT, indexRangeFilters: true },
            { name: 'startOffset', dataType: dataType.INT },
            { name: 'endOffset', dataType: dataType.INT },
            { name: 'page', dataType: dataType.INT },
            {
              name: 'locator',
              dataType: dataType.TEXT,
              indexSearchable: false,
              indexFilterable: false,
            },
            { name: 'domainId', dataType: dataType.TEXT, ...exactMatch },
            { name: 'entityKeys', dataType: dataType.TEXT_ARRAY, ...exactMatch },
          ],
        }),
      );
    } catch (error) {
      // Another Cairn process created it between our check and our create.
      if (!(await this.collectionExists())) throw error;
    }
  }

  private collectionExists(): Promise<boolean> {
    return restCall('GET', `/v1/schema/${CHUNK_COLLECTION}`, 'collectionExists', undefined, () =>
      this.client.collections.exists(CHUNK_COLLECTION),
    );
  }

  /** Collections created before chunks had locators gain the property (added once, idempotent). */
  private async ensureLocatorProperty(): Promise<void> {
    const collection = this.client.collections.use(CHUNK_COLLECTION);
    const hasLocator = async () =>
      (await collection.config.get()).properties.some(({ name }) => name === 'locator');
    if (await hasLocator()) return;
    try {
      await collection.config.addProperty({
        name: 'locator',
        dataType: 'text',
        indexSearchable: false,
        indexFilterable: false,
      });
    } catch (error) {
      // Another Cairn process added it first.
      if (!(await hasLocator())) throw error;
    }
  }

  async ensureTenant(workspaceId: string): Promise<void> {
    assertWorkspaceId(workspaceId);
    if (this.knownTenants.has(workspaceId)) return;
    const tenants = this.client.collections.use(CHUNK_COLLECTION).tenants;
    const tenantPath = `/v1/schema/${CHUNK_COLLECTION}/tenants`;
    const find = () =>
      restCall('GET', `${tenantPath}/{tenant}`, 'getTenant', workspaceId, () =>
        tenants.getByName(workspaceId),
      );
    if (!(await find())) {
      try {
        await restCall('POST', tenantPath, 'createTenant', workspaceId, () =>
          tenants.create({ name: workspaceId }),
        );
      } catch (error) {
        if (!(await find())) throw error;
      }
    }
    this.knownTenants.add(workspaceId);
  }

  /** Drops a workspace's tenant and every chunk in it (deleting a workspace). */
  async removeTenant(workspaceId: string): Promise<void> {
    assertWorkspaceId(workspaceId);
    this.knownTenants.delete(workspaceId);
    await restCall(
      'DELETE',
      `/v1/schema/${CHUNK_COLLECTION}/tenants`,
      'removeTenant',
      workspaceId,
      () => this.client.collections.use(CHUNK_COLLECTION).tenants.remove(workspaceId),
    );
  }

  /** The chunk collection seen through one workspace's tenant. */
  collection(workspaceId: string): ChunkCollection {
    assertWorkspaceId(workspaceId);
    return this.client.collections
      .use<typeof CHUNK_COLLECTION, ChunkProperties>(CHUNK_COLLECTION)
      .withTenant(workspaceId);
  }

  async ping(): Promise<void> {
    if (!(await this.client.isReady())) throw new Error('Weaviate is not ready');
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.close();
  }
}

/**
 * One call of the client's REST API (schema and tenants; queries and writes go over gRPC, traced
 * where they are made) in a client span, so a trace shows it. The path is a template: tenant
 * names are workspace ids, recorded as cairn.workspace_id.
 */
function restCall<T>(
  method: string,
  pathTemplate: string,
  operation: string,
  workspaceId: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  const attributes: Attributes = {
    ...(workspaceId !== undefined
      ? weaviateAttributes(operation, workspaceId)
      : { 'db.system': 'weaviate', 'db.operation.name': operation }),
    'http.request.method': method,
    'url.template': pathTemplate,
    'weaviate.api': 'rest',
  };
  return inClientSpan(`weaviate.${operation}`, attributes, call);
}

function splitHostPort(hostPort: string): [string, number] {
  const separator = hostPort.lastIndexOf(':');
  return [hostPort.slice(0, separator), Number(hostPort.slice(separator + 1))];
}
