import type { RelationPaths, PathStep } from './graph-walk';
import type { WorkspaceGraph } from './workspace-graph';
import type { EntityRef, GraphPath, RelatedEntity } from './search.types';

const MAX_HIT_ENTITIES = 6;
const MAX_HIT_PATHS = 3;

export function entityRef(graph: WorkspaceGraph, entity: number): EntityRef {
  return {
    key: graph.entityKeys[entity],
    name: graph.entityNames[entity],
    type: graph.entityTypes[entity],
  };
}

export function describePath(graph: WorkspaceGraph, steps: PathStep[]): GraphPath {
  const entities = [steps[0].from, ...steps.map((step) => step.to)];
  const relations = steps.map((step) => {
    const relation = graph.relations[step.relation];
    return {
      from: graph.entityKeys[step.from],
      to: graph.entityKeys[step.to],
      predicate: relation.predicate,
      forward: relation.source === step.from,
      documentId: relation.documentId,
      chunkId: relation.chunkId,
    };
  });
  let text = graph.entityNames[entities[0]];
  relations.forEach((relation, index) => {
    const arrow = relation.forward ? ` —${relation.predicate}→ ` : ` ←${relation.predicate}— `;
    text += `${arrow}${graph.entityNames[entities[index + 1]]}`;
  });
  return { entities: entities.map((entity) => entityRef(graph, entity)), relations, text };
}

/**
 * Why a chunk is connected to the query: its entities that the query names or that relation
 * paths from the query's entities reach (most relevant first), and the shortest such paths.
 */
export function explainChunk(
  graph: WorkspaceGraph,
  chunk: number,
  queryEntities: ReadonlySet<number>,
  paths: RelationPaths,
  entityScores: Float64Array,
): { entities: EntityRef[]; paths: GraphPath[] } {
  const connecting = graph.chunkEntities[chunk]
    .filter((entity) => queryEntities.has(entity) || paths.reaches(entity))
    .map((entity) => ({ entity, steps: paths.pathTo(entity) ?? [] }))
    .sort(
      (a, b) =>
        Number(queryEntities.has(b.entity)) - Number(queryEntities.has(a.entity)) ||
        entityScores[b.entity] - entityScores[a.entity],
    );
  const hitPaths = connecting
    .filter((candidate) => candidate.steps.length > 0)
    .sort(
      (a, b) => a.steps.length - b.steps.length || entityScores[b.entity] - entityScores[a.entity],
    )
    .slice(0, MAX_HIT_PATHS)
    .map((candidate) => describePath(graph, candidate.steps));
  return {
    entities: connecting.slice(0, MAX_HIT_ENTITIES).map(({ entity }) => entityRef(graph, entity)),
    paths: hitPaths,
  };
}

/** Entities the walk ranks highest that the query did not name: where to look next. */
export function relatedEntities(
  graph: WorkspaceGraph,
  entityScores: Float64Array,
  exclude: ReadonlySet<number>,
  count: number,
): RelatedEntity[] {
  // The best `count` by score, kept sorted while scanning: the walk scores thousands.
  const top: number[] = [];
  entityScores.forEach((score, entity) => {
    if (score <= 0 || exclude.has(entity) || graph.entityTypes[entity] === 'date') return;
    if (top.length === count && score <= entityScores[top[count - 1]]) return;
    let at = top.length;
    while (at > 0 && entityScores[top[at - 1]] < score) at--;
    top.splice(at, 0, entity);
    if (top.length > count) top.pop();
  });
  const best = top.length > 0 ? entityScores[top[0]] : 1;
  return top.map((entity) => ({
    ...entityRef(graph, entity),
    score: Math.round((entityScores[entity] / best) * 1000) / 1000,
    mentions: graph.mentionCount(entity),
  }));
}
