import { Injectable } from '@nestjs/common';
import { Filters, type FilterValue } from 'weaviate-client';
import { chunkIdFor, chunkObjectId } from '../documents/document-ids';
import type { ChunkPassage } from './search.types';
import {
  WeaviateVectorStore,
  type ChunkCollection,
  type ChunkProperties,
} from '../stores/weaviate/weaviate-vector.store';
import { inClientSpan, weaviateAttributes } from '../observability/spans';

/** A chunk as search reads it from Weaviate, with whichever raw scores found it. */
export interface ChunkCandidate extends ChunkPassage {
  entityKeys: string[];
  vectorSimilarity?: number;
  keywordScore?: number;
}

export interface ChunkFilters {
  documentIds?: string[];
  domainId?: string;
}

const RETURNED_PROPERTIES = [
  'text',
  'title',
  'documentId',
  'ord',
  'startOffset',
  'endOffset',
  'page',
  'locator',
  'entityKeys',
] as const satisfies readonly (keyof ChunkProperties)[];

/**
 * Vector, BM25 and by-id reads of chunks, always through the workspace's tenant. Query text and
 * filter values travel as gRPC parameters, so no input can change the shape of a query.
 */
@Injectable()
export class ChunkRetriever {
  constructor(private readonly weaviate: WeaviateVectorStore) {}

  async byVector(
    workspaceId: string,
    vector: Float32Array,
    limit: number,
    filters: ChunkFilters,
  ): Promise<ChunkCandidate[]> {
    const collection = await this.collection(workspaceId);
    const result = await inClientSpan(
      'weaviate.nearVector',
      weaviateAttributes('nearVector', workspaceId),
      () =>
        collection.query.nearVector(Array.from(vector), {
          limit,
          filters: this.filterOf(collection, filters),
          returnProperties: [...RETURNED_PROPERTIES],
          returnMetadata: ['distance'],
        }),
    );
    return result.objects.map((object) => ({
      ...candidateOf(object.properties),
      vectorSimilarity: 1 - (object.metadata?.distance ?? 1),
    }));
  }

  async byKeywords(
    workspaceId: string,
    query: string,
    limit: number,
    filters: ChunkFilters,
    properties: readonly ('title' | 'text')[] = ['title', 'text'],
  ): Promise<ChunkCandidate[]> {
    const collection = await this.collection(workspaceId);
    const result = await inClientSpan(
      'weaviate.bm25',
      weaviateAttributes('bm25', workspaceId),
      () =>
        collection.query.bm25(query, {
          limit,
          queryProperties: [...properties],
          filters: this.filterOf(collection, filters),
          returnProperties: [...RETURNED_PROPERTIES],
          returnMetadata: ['score'],
        }),
    );
    return result.objects.map((object) => ({
      ...candidateOf(object.properties),
      keywordScore: object.metadata?.score ?? 0,
    }));
  }

  /** The chunks with these ids that pass the filters (others are left out). */
  async byIds(
    workspaceId: string,
    chunkIds: string[],
    filters: ChunkFilters,
  ): Promise<ChunkCandidate[]> {
    if (chunkIds.length === 0) return [];
    const collection = await this.collection(workspaceId);
    const objectIds = chunkIds.map((chunkId) => {
      const separator = chunkId.lastIndexOf(':');
      return chunkObjectId(
        workspaceId,
        chunkId.slice(0, separator),
        Number(chunkId.slice(separator + 1)),
      );
    });
    const byId = collection.filter.byId().containsAny(objectIds);
    const extra = this.filterOf(collection, filters);
    const result = await inClientSpan(
      'weaviate.fetchObjects',
      weaviateAttributes('fetchObjects', workspaceId),
      () =>
        collection.query.fetchObjects({
          limit: chunkIds.length,
          filters: extra === undefined ? byId : Filters.and(byId, extra),
          returnProperties: [...RETURNED_PROPERTIES],
        }),
    );
    return result.objects.map((object) => candidateOf(object.properties));
  }

  private async collection(workspaceId: string): Promise<ChunkCollection> {
    await this.weaviate.ensureTenant(workspaceId);
    return this.weaviate.collection(workspaceId);
  }

  private filterOf(collection: ChunkCollection, filters: ChunkFilters): FilterValue | undefined {
    const parts: FilterValue[] = [];
    if (filters.documentIds !== undefined) {
      parts.push(collection.filter.byProperty('documentId').containsAny(filters.documentIds));
    }
    if (filters.domainId !== undefined) {
      parts.push(collection.filter.byProperty('domainId').equal(filters.domainId));
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : Filters.and(...parts);
  }
}

function candidateOf(properties: Partial<ChunkProperties>): ChunkCandidate {
  const documentId = properties.documentId ?? '';
  return {
    chunkId: chunkIdFor(documentId, properties.ord ?? 0),
    documentId,
    title: properties.title ?? '',
    text: properties.text ?? '',
    start: properties.startOffset ?? 0,
    end: properties.endOffset ?? 0,
    page: properties.page ?? null,
    locator: properties.locator ?? null,
    entityKeys: properties.entityKeys ?? [],
  };
}
