import { Injectable } from '@nestjs/common';
import { Filters } from 'weaviate-client';
import {
  WeaviateVectorStore,
  type ChunkProperties,
} from '../stores/weaviate/weaviate-vector.store';
import { chunkIdFor, chunkObjectId } from '../documents/document-ids';
import type { TextChunk } from '../analysis';
import { inClientSpan, weaviateAttributes } from '../observability/spans';

const INSERT_BATCH = 500;
/** Chunks per read when a document's chunks are listed. */
const CHUNK_PAGE = 1_000;
/** Documents whose surplus chunks one delete call covers (each adds two clauses to its filter). */
const SURPLUS_DELETE_BATCH = 100;

export interface DocumentVectors {
  documentId: string;
  title: string;
  chunks: TextChunk[];
  /** One vector per chunk, in chunk order. */
  vectors: Float32Array[];
  /** chunk id → entity keys it mentions */
  entityKeys: Map<string, string[]>;
}

/** Chunk vectors in Weaviate, one tenant per workspace, objects keyed by deterministic UUIDv5. */
@Injectable()
export class ChunkVectorIndex {
  constructor(private readonly weaviate: WeaviateVectorStore) {}

  /**
   * Writes every chunk of these documents. Objects with the same id are replaced, and chunks a
   * previous run had beyond the new count are deleted, so the result equals one clean run.
   * Any per-object error fails the whole call (the activity retries it).
   */
  async indexDocuments(workspaceId: string, documents: DocumentVectors[]): Promise<number> {
    await this.weaviate.ensureTenant(workspaceId);
    const collection = this.weaviate.collection(workspaceId);
    const objects = documents.flatMap((document) =>
      document.chunks.map((chunk, index) => {
        const properties: ChunkProperties = {
          text: chunk.text,
          title: document.title,
          documentId: document.documentId,
          workspaceId,
          ord: chunk.ord,
          startOffset: chunk.start,
          endOffset: chunk.end,
          entityKeys: document.entityKeys.get(chunkIdFor(document.documentId, chunk.ord)) ?? [],
          ...(chunk.page !== undefined ? { page: chunk.page } : {}),
          ...(chunk.locator !== undefined ? { locator: chunk.locator } : {}),
        };
        return {
          id: chunkObjectId(workspaceId, document.documentId, chunk.ord),
          properties,
          vectors: Array.from(document.vectors[index]),
        };
      }),
    );
    // Chunks beyond each document's new count (left by an earlier run), in one call per slice.
    for (let offset = 0; offset < documents.length; offset += SURPLUS_DELETE_BATCH) {
      const slice = documents.slice(offset, offset + SURPLUS_DELETE_BATCH);
      await inClientSpan('weaviate.deleteMany', weaviateAttributes('deleteMany', workspaceId), () =>
        collection.data.deleteMany(
          Filters.or(
            ...slice.map((document) =>
              Filters.and(
                collection.filter.byProperty('documentId').equal(document.documentId),
                collection.filter.byProperty('ord').greaterOrEqual(document.chunks.length),
              ),
            ),
          ),
        ),
      );
    }
    for (let offset = 0; offset < objects.length; offset += INSERT_BATCH) {
      const batch = objects.slice(offset, offset + INSERT_BATCH);
      const result = await inClientSpan(
        'weaviate.insertMany',
        {
          ...weaviateAttributes('insertMany', workspaceId),
          'db.operation.batch.size': batch.length,
        },
        () => collection.data.insertMany(batch),
      );
      if (result.hasErrors) {
        const first = Object.values(result.errors)[0];
        throw new Error(
          `Weaviate rejected ${Object.keys(result.errors).length} of ${result.allResponses.length} objects: ${first?.message ?? 'unknown error'}`,
        );
      }
    }
    return objects.length;
  }

  async removeDocuments(workspaceId: string, documentIds: string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.weaviate.ensureTenant(workspaceId);
    const collection = this.weaviate.collection(workspaceId);
    await inClientSpan('weaviate.deleteMany', weaviateAttributes('deleteMany', workspaceId), () =>
      collection.data.deleteMany(
        collection.filter.byProperty('documentId').containsAny(documentIds),
      ),
    );
  }

  /** A document's indexed chunks in order: text, offsets and page, as analysis made them. */
  async chunksOf(workspaceId: string, documentId: string): Promise<TextChunk[]> {
    await this.weaviate.ensureTenant(workspaceId);
    const collection = this.weaviate.collection(workspaceId);
    const chunks: TextChunk[] = [];
    // Pages by position (ord), not by offset: Weaviate stops offset paging at 10,000 objects.
    for (;;) {
      const result = await inClientSpan(
        'weaviate.fetchObjects',
        weaviateAttributes('fetchObjects', workspaceId),
        () =>
          collection.query.fetchObjects({
            limit: CHUNK_PAGE,
            filters: Filters.and(
              collection.filter.byProperty('documentId').equal(documentId),
              collection.filter.byProperty('ord').greaterOrEqual(chunks.length),
            ),
            sort: collection.sort.byProperty('ord'),
            returnProperties: ['text', 'ord', 'startOffset', 'endOffset', 'page', 'locator'],
          }),
      );
      for (const { properties } of result.objects) {
        chunks.push({
          ord: properties.ord,
          text: properties.text,
          start: properties.startOffset,
          end: properties.endOffset,
          ...(typeof properties.page === 'number' ? { page: properties.page } : {}),
          ...(typeof properties.locator === 'string' ? { locator: properties.locator } : {}),
        });
      }
      if (result.objects.length < CHUNK_PAGE) return chunks;
    }
  }

  async countDocumentObjects(workspaceId: string, documentId: string): Promise<number> {
    await this.weaviate.ensureTenant(workspaceId);
    const collection = this.weaviate.collection(workspaceId);
    const result = await inClientSpan(
      'weaviate.aggregate',
      weaviateAttributes('aggregate', workspaceId),
      () =>
        collection.aggregate.overAll({
          filters: collection.filter.byProperty('documentId').equal(documentId),
        }),
    );
    return result.totalCount;
  }
}
