import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Embedder } from '../embedding/embedder';
import { InjectConfig } from '../config/config.module';
import type { CairnConfig } from '../config/config';
import { NlpKnowledgeExtractor } from '../extraction/nlp-extractor';
import {
  embeddingSeconds,
  passagesEmbedded,
  searchCacheRequests,
  searchDuration,
} from '../observability/metrics';
import { DocumentsRepository } from '../documents/documents.repository';
import { ChunkRetriever, type ChunkCandidate, type ChunkFilters } from './chunk-retriever';
import { DomainSearchScope } from './domain-scope';
import { entityRef, explainChunk, relatedEntities } from './explanation';
import { personalizedPageRank, RelationPaths, type WalkSeeds } from './graph-walk';
import { GraphNeighbourhoods, type KeyedLink } from './graph-neighbourhood';
import type { QueryEntityLink } from './query-linking';
import { reciprocalRankFusion, type FusedItem, type Ranking } from './rank-fusion';
import { SearchCache } from './search-cache';
import type { SearchMode, SearchRequest } from './search.schema';
import { searchTuningFrom, type SearchTuning } from './search-tuning';
import { withSecondRound } from './second-round';
import type { LinkedEntity, SearchHit, SearchResponse } from './search.types';
import type { WorkspaceGraph } from './workspace-graph';

const RELATED_ENTITY_COUNT = 10;
/** Extra candidates hydrated beyond the limit, to make up for those the filters drop. */
const HYDRATION_MARGIN = 20;
const MAX_HIDDEN_SETS = 1_000;

interface GraphContext {
  graph: WorkspaceGraph;
  links: QueryEntityLink[];
  queryEntities: Set<number>;
  entityScores: Float64Array;
  chunkScores: Float64Array;
  paths: RelationPaths;
  /** Milliseconds spent reading the neighbourhood from Neo4j. */
  graphMs: number;
}

/**
 * POST /search: semantic and keyword retrieval from Weaviate, a personalised PageRank walk over
 * the neighbourhood of the query in the workspace's entity graph (read from Neo4j per search,
 * bounded: graph-neighbourhood.ts) seeded by the query's entities and the best semantic hits,
 * rank fusion, and an explanation of each hit. Answers are cached per workspace content version.
 */
@Injectable()
export class SearchService implements OnModuleDestroy {
  private readonly logger = new Logger(SearchService.name);
  private readonly tuning: SearchTuning;
  private readonly extractor = new NlpKnowledgeExtractor({ includeDates: true });
  private embedder?: Promise<Embedder>;
  /** Per workspace, the documents being deleted as of one content version. */
  private readonly hiddenDocuments = new Map<
    string,
    { stamp: string; hidden: Promise<Set<string>> }
  >();

  constructor(
    private readonly chunks: ChunkRetriever,
    private readonly graphs: GraphNeighbourhoods,
    private readonly cache: SearchCache,
    private readonly documents: DocumentsRepository,
    private readonly domainScope: DomainSearchScope,
    @InjectConfig() private readonly config: CairnConfig,
  ) {
    this.tuning = searchTuningFrom(config.CAIRN_SEARCH_TUNING);
  }

  async search(
    workspaceId: string,
    asked: SearchRequest,
    options: { bypassCache?: boolean } = {},
  ): Promise<SearchResponse> {
    const started = performance.now();
    const request = await this.domainScope.narrow(workspaceId, asked);
    // The query's embedding (a Redis read, or the model on a miss) does not depend on the
    // content stamp: it is looked up while the stamp is read.
    const queryVector =
      request.mode === 'keyword' ? undefined : this.queryVector(workspaceId, request.query);
    queryVector?.catch(() => undefined);
    const stamp = await this.cache.contentStamp(workspaceId);
    // Documents being deleted stay hidden until their delete workflow has taken them out of the
    // indexes; read while the rest of the search runs.
    const hidden = this.documentsBeingDeleted(workspaceId, stamp);
    const stampMs = elapsed(started);
    const cacheKey =
      stamp === undefined
        ? undefined
        : this.cache.resultKey(workspaceId, stamp, { request, tuning: this.tuning });
    if (cacheKey !== undefined && !options.bypassCache) {
      const cached = await this.cache.readResult<SearchResponse>(cacheKey);
      // A document being deleted leaves the index only when its delete workflow has run; until
      // then the row's status already hides it, in cached answers as in fresh ones.
      const hit = cached !== undefined && noneHidden(cached, await hidden);
      searchCacheRequests.inc({ cache: 'result', result: hit ? 'hit' : 'miss' });
      if (hit) {
        searchDuration.observe({ mode: request.mode, cached: 'true' }, elapsed(started) / 1000);
        return { ...cached, cached: true, tookMs: elapsed(started) };
      }
    }
    const { response, complete } = await this.compute(
      workspaceId,
      request,
      stamp ?? 'unknown',
      queryVector,
      hidden,
    );
    response.tookMs = elapsed(started);
    response.timings = { stamp: stampMs, ...response.timings };
    // An answer computed on a graph that is still catching up is not worth keeping.
    if (cacheKey !== undefined && complete) this.cache.writeResult(cacheKey, response);
    searchDuration.observe({ mode: request.mode, cached: 'false' }, response.tookMs / 1000);
    return response;
  }

  private async compute(
    workspaceId: string,
    request: SearchRequest,
    stamp: string,
    queryVector: Promise<Float32Array> | undefined,
    hidden: Promise<Set<string>>,
  ): Promise<{ response: SearchResponse; complete: boolean }> {
    const { query, mode, hops, limit } = request;
    // A domainId was resolved by the controller into filters.documentIds (its members).
    const filters: ChunkFilters = { documentIds: request.filters?.documentIds };
    const empty: SearchResponse = {
      query,
      mode,
      hops,
      hits: [],
      linkedEntities: [],
      relatedEntities: [],
      cached: false,
      tookMs: 0,
    };
    if (filters.documentIds?.length === 0) return { response: empty, complete: true };

    const pool = Math.max(this.tuning.candidatePool, limit + HYDRATION_MARGIN);
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      timings[name] = Math.round(((timings[name] ?? 0) + now - mark) * 10) / 10;
      mark = now;
    };
    // The query is linked to entities while Weaviate answers; a failure surfaces where awaited.
    const linking = this.linkQuery(workspaceId, query);
    linking.catch(() => undefined);
    const retrieval = Promise.all([
      queryVector === undefined
        ? Promise.resolve([])
        : queryVector.then((vector) => this.chunks.byVector(workspaceId, vector, pool, filters)),
      mode === 'vector'
        ? Promise.resolve([])
        : this.chunks.byKeywords(workspaceId, query, pool, filters),
    ]);
    retrieval.catch(() => undefined);
    const links = await linking;
    lap('link');
    // Only graph and auto rank by the walk; the other modes explain their hits without one.
    const walks = mode === 'graph' || mode === 'auto';
    const entitiesFirst = mode === 'graph';
    const seedHits = this.seedHitCount(links, entitiesFirst);
    let context: GraphContext | undefined;
    if (walks && seedHits === 0) {
      // When the semantic hits are not needed as seeds, the neighbourhood is read and walked
      // while Weaviate answers.
      context = await this.walkGraph(workspaceId, stamp, links, hops, [], entitiesFirst);
    }
    // The chunks the walk ranks best are fetched while Weaviate still answers the retrieval.
    const prefetched =
      context === undefined
        ? undefined
        : this.chunks.byIds(
            workspaceId,
            rankChunks(context.graph, context.chunkScores, limit + HYDRATION_MARGIN),
            filters,
          );
    prefetched?.catch(() => undefined);
    lap('walk');
    const [vectorHits, keywordHits] = await retrieval;
    lap('retrieve');

    const byChunk = new Map<string, ChunkCandidate>();
    for (const hit of [...vectorHits, ...keywordHits]) {
      const known = byChunk.get(hit.chunkId);
      byChunk.set(
        hit.chunkId,
        known === undefined ? hit : { ...known, ...hit, ...definedScores(known, hit) },
      );
    }
    const vectorRanking: Ranking = {
      signal: 'vector',
      weight: 1,
      ids: vectorHits.map((hit) => hit.chunkId),
    };
    const keywordRanking: Ranking = {
      signal: 'keyword',
      weight: 1,
      ids: keywordHits.map((hit) => hit.chunkId),
    };
    const semantic = reciprocalRankFusion(
      [
        { ...vectorRanking, weight: this.tuning.hybridWeights.vector },
        { ...keywordRanking, weight: this.tuning.hybridWeights.keyword },
      ],
      this.tuning.rrfK,
    );

    if (walks) {
      // `graph` walks from what the query names; semantic hits seed it only when it names nothing.
      context ??= await this.walkGraph(
        workspaceId,
        stamp,
        links,
        hops,
        semantic.slice(0, seedHits),
        entitiesFirst,
      );
    }
    const graphRanking: Ranking = {
      signal: 'graph',
      weight: 1,
      ids:
        context === undefined
          ? []
          : rankChunks(context.graph, context.chunkScores, pool).filter((chunkId) =>
              passesChunkFilters(context.graph, chunkId, filters),
            ),
    };
    const firstRound = this.rank(
      mode,
      vectorRanking,
      keywordRanking,
      graphRanking,
      semantic,
      byChunk,
    );
    lap('walk');
    // auto follows the bridge entities of its best hits in a second round (second-round.ts).
    const fused =
      mode !== 'auto'
        ? firstRound
        : await withSecondRound(this.chunks, {
            workspaceId,
            query,
            queryEntityKeys: new Set(
              this.extractor.extractSync([{ id: 'query', text: query }]).entities.map((e) => e.key),
            ),
            fused: firstRound,
            byChunk,
            filters,
            pool,
            tuning: this.tuning.secondRound,
            rrfK: this.tuning.rrfK,
          });
    lap('secondRound');
    const walked =
      context ??
      (await this.explainWithoutWalk(workspaceId, stamp, links, hops, fused.slice(0, limit)));
    lap('walk');
    timings.graph = Math.round(walked.graphMs * 10) / 10;

    for (const chunk of (await prefetched?.catch(() => [])) ?? []) {
      if (!byChunk.has(chunk.chunkId)) byChunk.set(chunk.chunkId, chunk);
    }
    const { hits, graph } = await this.hydrate(
      workspaceId,
      fused,
      byChunk,
      filters,
      request,
      walked,
      hidden,
    );
    lap('hydrate');
    const linkedEntities: LinkedEntity[] = walked.links.map((link) => ({
      ...entityRef(graph, link.entity),
      matchedText: link.matchedText,
      method: link.method,
      confidence: Math.round(link.confidence * 1000) / 1000,
    }));
    const response: SearchResponse = {
      ...empty,
      timings,
      hits,
      linkedEntities,
      relatedEntities: relatedEntities(
        graph,
        walked.entityScores,
        walked.queryEntities,
        RELATED_ENTITY_COUNT,
      ),
    };
    return { response, complete: true };
  }

  /** The order of candidates for a mode; single-signal modes keep their raw scores. */
  private rank(
    mode: SearchMode,
    vector: Ranking,
    keyword: Ranking,
    graph: Ranking,
    semantic: FusedItem[],
    byChunk: Map<string, ChunkCandidate>,
  ): FusedItem[] {
    const { rrfK, autoWeights } = this.tuning;
    switch (mode) {
      case 'vector':
        return vector.ids.map((id) =>
          rawItem(id, 'vector', byChunk.get(id)?.vectorSimilarity ?? 0),
        );
      case 'keyword':
        return keyword.ids.map((id) => rawItem(id, 'keyword', byChunk.get(id)?.keywordScore ?? 0));
      case 'hybrid':
        return semantic;
      case 'graph': {
        // The walk's order first, then semantic hits it did not reach (graph part 0).
        const walked = reciprocalRankFusion([graph], rrfK);
        const reached = new Set(graph.ids);
        return [...walked, ...semantic.filter((item) => !reached.has(item.id)).map(zeroed)];
      }
      case 'auto':
        return reciprocalRankFusion(
          [
            { ...vector, weight: autoWeights.vector },
            { ...keyword, weight: autoWeights.keyword },
            { ...graph, weight: autoWeights.graph },
          ],
          rrfK,
        );
    }
  }

  /** Entities the query names: what the NLP extractor finds in it, then the graph's names. */
  private linkQuery(workspaceId: string, query: string): Promise<KeyedLink[]> {
    const namedPhrases = this.extractor
      .extractSync([{ id: 'query', text: query }])
      .entities.map((entity) => entity.name);
    return this.graphs.linkQuery(workspaceId, query, namedPhrases);
  }

  /** How many of the best semantic hits seed the walk (0: it needs no semantic results). */
  private seedHitCount(links: readonly unknown[], entitiesFirst: boolean): number {
    if (links.length === 0) return this.tuning.seedHits;
    return entitiesFirst ? 0 : this.tuning.seedHitsWithEntities;
  }

  private async walkGraph(
    workspaceId: string,
    stamp: string,
    keyedLinks: KeyedLink[],
    hops: number,
    seedHits: FusedItem[],
    entitiesFirst: boolean,
  ): Promise<GraphContext> {
    const started = performance.now();
    const seedCount = this.seedHitCount(keyedLinks, entitiesFirst);
    const seedChunks = new Map<string, number>();
    seedHits.slice(0, seedCount).forEach((item, index) => seedChunks.set(item.id, 1 / (index + 1)));
    const graph = await this.graphs.neighbourhood(workspaceId, stamp, {
      entities: new Map(
        keyedLinks.map((link) => [link.key, link.confidence / Math.log2(2 + link.mentions)]),
      ),
      chunks: seedChunks,
      hops,
      limits: this.tuning.neighbourhood,
      dateWeight: this.tuning.walk.dateWeight,
    });
    const graphMs = performance.now() - started;
    const links = linksIn(graph, keyedLinks);
    const queryEntities = new Set(links.map((link) => link.entity));
    const seeds: WalkSeeds = { entities: new Map(), chunks: new Map() };
    for (const link of links) {
      // Rare entities say more about what the query is after than common ones.
      const specificity = 1 / Math.log2(2 + graph.mentionCount(link.entity));
      seeds.entities.set(link.entity, link.confidence * specificity);
    }
    normalise(seeds.entities, 1);
    seedHits.slice(0, seedCount).forEach((item, index) => {
      const chunk = graph.chunkIndex.get(item.id);
      if (chunk !== undefined) seeds.chunks.set(chunk, 1 / (index + 1));
    });
    normalise(seeds.chunks, this.tuning.seedHitShare);
    const walk = personalizedPageRank(graph, seeds, { ...this.tuning.walk, hops });
    return {
      graph,
      links,
      queryEntities,
      entityScores: walk.entityScores,
      chunkScores: walk.chunkScores,
      paths: new RelationPaths(graph, queryEntities, hops),
      graphMs,
    };
  }

  /**
   * The explanation context of a mode that does not rank by the walk: relation paths from the
   * query's entities, and entities scored by how often, how high and how specifically the best
   * hits mention them (for "related entities").
   */
  private async explainWithoutWalk(
    workspaceId: string,
    stamp: string,
    keyedLinks: KeyedLink[],
    hops: number,
    best: FusedItem[],
  ): Promise<GraphContext> {
    const started = performance.now();
    // Relation paths need the relations near the query's entities, not their chunks.
    const around = await this.graphs.neighbourhood(workspaceId, stamp, {
      entities: new Map(keyedLinks.map((link) => [link.key, link.confidence])),
      chunks: new Map(),
      hops,
      limits: { ...this.tuning.neighbourhood, chunksPerEntity: 0 },
      dateWeight: this.tuning.walk.dateWeight,
    });
    const { graph } = await this.graphs.withChunks(
      workspaceId,
      around,
      best.map((item) => item.id),
    );
    const graphMs = performance.now() - started;
    const links = linksIn(graph, keyedLinks);
    const queryEntities = new Set(links.map((link) => link.entity));
    const entityScores = new Float64Array(graph.entityCount);
    best.forEach((item, rank) => {
      const chunk = graph.chunkIndex.get(item.id);
      if (chunk === undefined) return;
      for (const entity of graph.chunkEntities[chunk]) {
        entityScores[entity] += 1 / (rank + 1) / Math.log2(2 + graph.mentionCount(entity));
      }
    });
    return {
      graph,
      links,
      queryEntities,
      entityScores,
      chunkScores: new Float64Array(graph.chunkCount),
      paths: new RelationPaths(graph, queryEntities, hops),
      graphMs,
    };
  }

  /**
   * Turns ranked ids into hits: fetches chunks only the graph found, drops those of documents
   * being deleted (their vectors may outlive the DELETE by a moment) and those without an entity
   * of the requested types, and explains each.
   */
  private async hydrate(
    workspaceId: string,
    ranked: FusedItem[],
    byChunk: Map<string, ChunkCandidate>,
    filters: ChunkFilters,
    request: SearchRequest,
    context: GraphContext,
    hidden: Promise<Set<string>>,
  ): Promise<{ hits: SearchHit[]; graph: WorkspaceGraph }> {
    const types = request.filters?.types === undefined ? undefined : new Set(request.filters.types);
    // The chunks' entities (all of them, to filter by type), for those the graph lacks.
    const { graph, types: chunkTypes } = await this.graphs.withChunks(
      workspaceId,
      context.graph,
      (types === undefined ? ranked.slice(0, request.limit + HYDRATION_MARGIN) : ranked).map(
        (item) => item.id,
      ),
      types !== undefined,
    );
    const candidates = ranked
      .filter((item) => types === undefined || mentionsTypes(chunkTypes, item.id, types))
      .slice(0, request.limit + HYDRATION_MARGIN);
    const missing = candidates.map((item) => item.id).filter((id) => !byChunk.has(id));
    const [fetched, hiddenDocuments] = await Promise.all([
      this.chunks.byIds(workspaceId, missing, filters),
      hidden,
    ]);
    for (const chunk of fetched) byChunk.set(chunk.chunkId, chunk);

    const hits: SearchHit[] = [];
    for (const item of candidates) {
      const chunk = byChunk.get(item.id);
      if (chunk === undefined || hiddenDocuments.has(chunk.documentId)) continue;
      const chunkNode = graph.chunkIndex.get(item.id);
      const explanation =
        chunkNode === undefined
          ? { entities: [], paths: [] }
          : explainChunk(
              graph,
              chunkNode,
              context.queryEntities,
              context.paths,
              context.entityScores,
            );
      hits.push({
        chunkId: chunk.chunkId,
        documentId: chunk.documentId,
        title: chunk.title,
        text: chunk.text,
        start: chunk.start,
        end: chunk.end,
        page: chunk.page,
        locator: chunk.locator,
        score: round(item.score),
        scoreParts: {
          vector: round(item.parts.vector),
          keyword: round(item.parts.keyword),
          graph: round(item.parts.graph),
        },
        signals: {
          ...(chunk.vectorSimilarity !== undefined
            ? { vectorSimilarity: round(chunk.vectorSimilarity) }
            : {}),
          ...(chunk.keywordScore !== undefined ? { keywordScore: round(chunk.keywordScore) } : {}),
          ...(item.ranks.graph !== undefined ? { graphRank: item.ranks.graph } : {}),
        },
        ...explanation,
      });
      if (hits.length === request.limit) break;
    }
    return { hits, graph };
  }

  /**
   * Documents whose delete has been accepted: their vectors may outlive the DELETE by a moment.
   * Accepting a delete advances the content version, so the set is read once per version.
   */
  private documentsBeingDeleted(
    workspaceId: string,
    stamp: string | undefined,
  ): Promise<Set<string>> {
    const known = this.hiddenDocuments.get(workspaceId);
    if (stamp !== undefined && known?.stamp === stamp) return known.hidden;
    const hidden: Promise<Set<string>> = this.documents
      .idsHiddenFromSearch(workspaceId)
      .then((ids) => new Set(ids))
      .catch((error: unknown) => {
        // Postgres only refines the answer (documents mid-delete); the indexes are the truth.
        // A failed read is not kept: the next search of this version asks again.
        if (this.hiddenDocuments.get(workspaceId)?.hidden === hidden) {
          this.hiddenDocuments.delete(workspaceId);
        }
        this.logger.warn(`document visibility check skipped: ${String(error)}`);
        return new Set<string>();
      });
    if (stamp !== undefined) {
      this.hiddenDocuments.delete(workspaceId);
      this.hiddenDocuments.set(workspaceId, { stamp, hidden });
      if (this.hiddenDocuments.size > MAX_HIDDEN_SETS) {
        this.hiddenDocuments.delete(this.hiddenDocuments.keys().next().value as string);
      }
    }
    return hidden;
  }

  private async queryVector(workspaceId: string, query: string): Promise<Float32Array> {
    const embedder = await this.loadEmbedder();
    const { vector, cached } = await this.cache.embedding(
      workspaceId,
      embedder.modelId,
      query,
      async () => {
        const startedAt = performance.now();
        const computed = await embedder.embedOne(query);
        passagesEmbedded.inc({ purpose: 'query' });
        embeddingSeconds.inc({ purpose: 'query' }, (performance.now() - startedAt) / 1000);
        return computed;
      },
    );
    searchCacheRequests.inc({ cache: 'embedding', result: cached ? 'hit' : 'miss' });
    return vector;
  }

  private loadEmbedder(): Promise<Embedder> {
    const modelDir = this.config.CAIRN_EMBEDDING_MODEL_DIR;
    this.embedder ??= Embedder.load({ modelDir }).catch((error: unknown) => {
      this.embedder = undefined;
      throw error;
    });
    return this.embedder;
  }

  async onModuleDestroy(): Promise<void> {
    const embedder = await this.embedder?.catch(() => undefined);
    await embedder?.close();
    this.logger.debug('embedder released');
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function noneHidden(response: SearchResponse, hidden: Set<string>): boolean {
  return response.hits.every((hit) => !hidden.has(hit.documentId));
}

function definedScores(a: ChunkCandidate, b: ChunkCandidate): Partial<ChunkCandidate> {
  return {
    vectorSimilarity: b.vectorSimilarity ?? a.vectorSimilarity,
    keywordScore: b.keywordScore ?? a.keywordScore,
  };
}

function rawItem(id: string, signal: 'vector' | 'keyword', score: number): FusedItem {
  return {
    id,
    score,
    parts: { vector: 0, keyword: 0, graph: 0, [signal]: score },
    ranks: {},
  };
}

function zeroed(item: FusedItem): FusedItem {
  return { ...item, score: 0, parts: { vector: 0, keyword: 0, graph: 0 } };
}

function normalise(weights: Map<number, number>, total: number): void {
  let sum = 0;
  for (const weight of weights.values()) sum += weight;
  if (sum <= 0) return;
  for (const [key, weight] of weights) weights.set(key, (weight / sum) * total);
}

/** Chunk ids by walk mass, best first, at most `count`. */
function rankChunks(graph: WorkspaceGraph, chunkScores: Float64Array, count: number): string[] {
  const reached: number[] = [];
  chunkScores.forEach((score, chunk) => {
    if (score > 0) reached.push(chunk);
  });
  reached.sort((a, b) => chunkScores[b] - chunkScores[a]);
  return reached.slice(0, count).map((chunk) => graph.chunkIds[chunk]);
}

function passesChunkFilters(
  graph: WorkspaceGraph,
  chunkId: string,
  filters: ChunkFilters,
): boolean {
  if (filters.documentIds === undefined) return true;
  const chunk = graph.chunkIndex.get(chunkId);
  return chunk !== undefined && filters.documentIds.includes(graph.chunkDocuments[chunk]);
}

function mentionsTypes(
  chunkTypes: Map<string, Set<string>>,
  chunkId: string,
  types: Set<string>,
): boolean {
  return [...(chunkTypes.get(chunkId) ?? [])].some((type) => types.has(type));
}

/** The query's links as entities of this graph (a link to an entity it lacks is dropped). */
function linksIn(graph: WorkspaceGraph, links: KeyedLink[]): QueryEntityLink[] {
  return links.flatMap(({ key, mentions: _mentions, ...link }) => {
    const entity = graph.entityIndex.get(key);
    return entity === undefined ? [] : [{ ...link, entity }];
  });
}
