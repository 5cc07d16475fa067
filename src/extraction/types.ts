/** Kinds of things the knowledge graph holds; 'other' when the extractor cannot tell. */
export type EntityType =
  'person' | 'organization' | 'place' | 'work' | 'event' | 'date' | 'concept' | 'other';

export const ENTITY_TYPES: readonly EntityType[] = [
  'person',
  'organization',
  'place',
  'work',
  'event',
  'date',
  'concept',
  'other',
];

/** One chunk of a document. `title` is the document title: in encyclopedic corpora it names the
 * entity the passage is about, so extractors treat it as mentioned by the chunk. */
export interface ChunkForExtraction {
  id: string;
  text: string;
  title?: string;
}

/** A place in a chunk where an entity is named; `text.slice(start, end) === surface`.
 * A mention with start === end (empty surface) means the chunk is about the entity without
 * naming it (the document title of a passage that never repeats it). */
export interface EntityMention {
  chunkId: string;
  start: number;
  end: number;
  surface: string;
}

export interface ExtractedEntity {
  /** Canonical key (see `entityKey`); the graph MERGEs on (workspaceId, key). */
  key: string;
  name: string;
  type: EntityType;
  aliases: string[];
  mentions: EntityMention[];
}

export interface ExtractedRelation {
  sourceKey: string;
  targetKey: string;
  /** Lower-case verb phrase ("directed", "born in") or 'related_to'. */
  predicate: string;
  chunkId: string;
  /** The sentence that evidences the relation. */
  evidence: string;
  /** In (0, 1]: higher when the two entities are named closer together. */
  weight: number;
}

export interface ExtractionResult {
  entities: ExtractedEntity[];
  relations: ExtractedRelation[];
}

export interface KnowledgeExtractor {
  readonly name: string;
  extract(chunks: ChunkForExtraction[]): Promise<ExtractionResult>;
}
