import type { GlossaryEntry, OverviewEntity, OverviewRelation, TopicCluster } from './domain.types';

// Pure drafting of a domain's overview from its part of the knowledge graph: entity importance
// (weighted PageRank), topic clusters (label propagation), main relations and a glossary whose
// definitions are sentences quoted from the domain's own chunks.

export interface DraftEntity {
  key: string;
  name: string;
  type: string;
}

export interface DraftMention {
  entityKey: string;
  chunkId: string;
  surface: string;
}

export interface DraftRelation {
  source: string;
  target: string;
  predicate: string;
  weight: number;
}

export interface DraftChunk {
  chunkId: string;
  documentId: string;
  documentTitle: string;
  /** Where the chunk's text starts in its document. */
  start: number;
  text: string;
}

export interface DraftInput {
  entities: DraftEntity[];
  mentions: DraftMention[];
  relations: DraftRelation[];
  /** In reading order (document, then chunk ord): the first good sentence wins. */
  chunks: DraftChunk[];
}

export interface DraftLimits {
  keyEntities: number;
  glossary: number;
  relations: number;
  clusters: number;
}

export const DEFAULT_DRAFT_LIMITS: DraftLimits = {
  keyEntities: 25,
  glossary: 15,
  relations: 20,
  clusters: 8,
};

export interface DraftResult {
  keyEntities: OverviewEntity[];
  glossary: GlossaryEntry[];
  relations: OverviewRelation[];
  clusters: TopicCluster[];
}

const DAMPING = 0.85;
const ITERATIONS = 40;
const MAX_SENTENCE_LENGTH = 400;

export function draftOverview(input: DraftInput, limits = DEFAULT_DRAFT_LIMITS): DraftResult {
  const entities = [...input.entities].sort((a, b) => compare(a.key, b.key));
  const index = new Map(entities.map((entity, position) => [entity.key, position]));
  const mentionCounts = new Array<number>(entities.length).fill(0);
  for (const mention of input.mentions) {
    const position = index.get(mention.entityKey);
    if (position !== undefined) mentionCounts[position]++;
  }

  // Undirected weighted adjacency; parallel relations between two entities add up.
  const adjacency = entities.map(() => new Map<number, number>());
  for (const relation of input.relations) {
    const a = index.get(relation.source);
    const b = index.get(relation.target);
    if (a === undefined || b === undefined || a === b) continue;
    const weight = relation.weight > 0 ? relation.weight : 1;
    adjacency[a].set(b, (adjacency[a].get(b) ?? 0) + weight);
    adjacency[b].set(a, (adjacency[b].get(a) ?? 0) + weight);
  }
  const rank = pageRank(adjacency, mentionCounts);
  const top = rank.length === 0 ? 1 : Math.max(...rank);
  const ranked = entities
    .map((entity, position) => ({
      ...entity,
      importance: round(rank[position] / top),
      mentions: mentionCounts[position],
      degree: adjacency[position].size,
      position,
    }))
    .sort(
      (a, b) => b.importance - a.importance || b.mentions - a.mentions || compare(a.name, b.name),
    );

  const keyEntities: OverviewEntity[] = ranked
    .slice(0, limits.keyEntities)
    .map(({ key, name, type, importance, mentions, degree }) => ({
      key,
      name,
      type,
      importance,
      mentions,
      degree,
    }));

  return {
    keyEntities,
    glossary: glossaryOf(ranked, input, limits.glossary),
    relations: mainRelations(input.relations, entities, index, rank, limits.relations),
    clusters: topicClusters(adjacency, ranked, limits.clusters),
  };
}

/** Weighted PageRank; the teleport vector favours entities mentioned more often. */
export function pageRank(adjacency: Map<number, number>[], mentions: number[]): number[] {
  const n = adjacency.length;
  if (n === 0) return [];
  const mentionTotal = mentions.reduce((sum, value) => sum + value + 1, 0);
  const teleport = mentions.map((value) => (value + 1) / mentionTotal);
  const outWeight = adjacency.map((edges) => [...edges.values()].reduce((a, b) => a + b, 0));
  let scores = teleport.slice();
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = teleport.map((value) => (1 - DAMPING) * value);
    let dangling = 0;
    for (let node = 0; node < n; node++) {
      if (outWeight[node] === 0) {
        dangling += scores[node];
        continue;
      }
      for (const [neighbour, weight] of adjacency[node]) {
        next[neighbour] += (DAMPING * scores[node] * weight) / outWeight[node];
      }
    }
    for (let node = 0; node < n; node++) next[node] += DAMPING * dangling * teleport[node];
    scores = next;
  }
  return scores;
}

function glossaryOf(
  ranked: (DraftEntity & { position: number })[],
  input: DraftInput,
  limit: number,
): GlossaryEntry[] {
  const chunkOrder = new Map(input.chunks.map((chunk, position) => [chunk.chunkId, position]));
  const surfacesByEntity = new Map<string, Set<string>>();
  const chunksByEntity = new Map<string, number[]>();
  for (const mention of input.mentions) {
    const order = chunkOrder.get(mention.chunkId);
    if (order === undefined) continue;
    surfacesByEntity.set(
      mention.entityKey,
      (surfacesByEntity.get(mention.entityKey) ?? new Set()).add(mention.surface),
    );
    chunksByEntity.set(mention.entityKey, [
      ...(chunksByEntity.get(mention.entityKey) ?? []),
      order,
    ]);
  }
  const glossary: GlossaryEntry[] = [];
  for (const entity of ranked) {
    if (glossary.length >= limit) break;
    const orders = [...new Set(chunksByEntity.get(entity.key) ?? [])].sort((a, b) => a - b);
    const surfaces = [entity.name, ...(surfacesByEntity.get(entity.key) ?? [])];
    for (const order of orders) {
      const chunk = input.chunks[order];
      const sentence = definingSentence(chunk.text, surfaces);
      if (sentence === undefined) continue;
      glossary.push({
        term: entity.name,
        type: entity.type,
        definition: sentence.text,
        source: {
          documentId: chunk.documentId,
          documentTitle: chunk.documentTitle,
          chunkId: chunk.chunkId,
          start: chunk.start + sentence.start,
          end: chunk.start + sentence.end,
        },
      });
      break;
    }
  }
  return glossary;
}

/** The first sentence of a text that names one of the surfaces, with its offsets in the text. */
export function definingSentence(
  text: string,
  surfaces: string[],
): { text: string; start: number; end: number } | undefined {
  const sentencePattern = /[^.!?\n]+(?:[.!?]+|$)/g;
  const wanted = surfaces.filter((surface) => surface.trim() !== '').map((s) => s.toLowerCase());
  for (const match of text.matchAll(sentencePattern)) {
    const raw = match[0];
    const leading = raw.length - raw.trimStart().length;
    const sentence = raw.trim();
    if (sentence.length < 20 || sentence.length > MAX_SENTENCE_LENGTH) continue;
    const lower = sentence.toLowerCase();
    if (!wanted.some((surface) => lower.includes(surface))) continue;
    const start = (match.index ?? 0) + leading;
    return { text: sentence, start, end: start + sentence.length };
  }
  return undefined;
}

function mainRelations(
  relations: DraftRelation[],
  entities: DraftEntity[],
  index: Map<string, number>,
  rank: number[],
  limit: number,
): OverviewRelation[] {
  const grouped = new Map<string, OverviewRelation & { score: number }>();
  for (const relation of relations) {
    const a = index.get(relation.source);
    const b = index.get(relation.target);
    if (a === undefined || b === undefined || a === b) continue;
    const id = `${relation.source}\u0000${relation.predicate}\u0000${relation.target}`;
    const known = grouped.get(id);
    const weight = relation.weight > 0 ? relation.weight : 1;
    if (known) {
      known.weight = round(known.weight + weight);
      known.evidenceCount++;
      known.score += weight;
    } else {
      grouped.set(id, {
        source: entities[a].name,
        predicate: relation.predicate,
        target: entities[b].name,
        weight: round(weight),
        evidenceCount: 1,
        score: weight * (rank[a] + rank[b]),
      });
    }
  }
  return [...grouped.values()]
    .sort(
      (x, y) =>
        y.score - x.score ||
        y.evidenceCount - x.evidenceCount ||
        compare(`${x.source}${x.target}`, `${y.source}${y.target}`),
    )
    .slice(0, limit)
    .map(({ score: _score, ...relation }) => relation);
}

/**
 * Label propagation over the weighted graph, visiting nodes in a fixed order and breaking ties
 * by the smaller label, so the same graph always gives the same clusters. Each cluster is named
 * after its most important entity; singletons are not clusters.
 */
export function topicClusters(
  adjacency: Map<number, number>[],
  ranked: (DraftEntity & { position: number; importance: number })[],
  limit: number,
): TopicCluster[] {
  const labels = adjacency.map((_, node) => node);
  for (let round = 0; round < 20; round++) {
    let changed = false;
    for (let node = 0; node < adjacency.length; node++) {
      if (adjacency[node].size === 0) continue;
      const votes = new Map<number, number>();
      for (const [neighbour, weight] of adjacency[node]) {
        votes.set(labels[neighbour], (votes.get(labels[neighbour]) ?? 0) + weight);
      }
      let best = labels[node];
      let bestVotes = votes.get(best) ?? 0;
      for (const [label, count] of votes) {
        if (count > bestVotes || (count === bestVotes && label < best)) {
          best = label;
          bestVotes = count;
        }
      }
      if (best !== labels[node]) {
        labels[node] = best;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const members = new Map<number, (DraftEntity & { importance: number })[]>();
  for (const entity of ranked) {
    const label = labels[entity.position];
    members.set(label, [...(members.get(label) ?? []), entity]);
  }
  return [...members.values()]
    .filter((group) => group.length > 1)
    .sort((a, b) => sum(b) - sum(a))
    .slice(0, limit)
    .map((group) => ({ label: group[0].name, entities: group.map((entity) => entity.name) }));
}

const sum = (group: { importance: number }[]) =>
  group.reduce((total, e) => total + e.importance, 0);
const round = (value: number) => Math.round(value * 1000) / 1000;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
