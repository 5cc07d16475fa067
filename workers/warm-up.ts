import { chunkDocument, detectLanguage, extractText, type TextChunk } from '../src/analysis';
import { documentIdFor, chunkIdFor } from '../src/documents/document-ids';
import { EntityResolver, type ExtractionResult, type KnowledgeExtractor } from '../src/extraction';
import type { DocumentGraphRepository } from '../src/knowledge/document-graph.repository';
import type { ChunkVectorIndex } from '../src/knowledge/chunk-vector.index';
import type { TaskQueueName } from '../src/config/config';
import { createHash } from 'node:crypto';
import { RESERVED_WORKSPACE_ID } from '../src/common/ids';

/**
 * A worker's first import is its slowest: V8 compiles the pipeline's code while it runs, and a
 * freshly started Neo4j plans the graph statements and compiles their code in its JVM. Measured
 * on MuSiQue-100, a first import after a start cost ~13 CPU s more than the next one (README,
 * "Figures"), on two cores that also embed. So before a worker takes tasks, it runs its queue's
 * steps once over a small made-up corpus: analysis and extraction on `ai`, the graph write, its
 * lookups and removal and the vector writes on `storage`, in a workspace of its own that the API
 * never lets anyone create, and removes what it wrote. A warm-up that fails only costs its time:
 * the worker logs it and starts anyway.
 */
export const WARM_UP_WORKSPACE = RESERVED_WORKSPACE_ID;

/** Documents per graph write, as an import's batches are (smaller here, to warm up quickly). */
const WARM_UP_BATCH = 100;

const FIRST_NAMES = [
  'Amelia',
  'Jonas',
  'Clara',
  'Henrik',
  'Sofia',
  'Marcus',
  'Elena',
  'Victor',
  'Ingrid',
  'Oscar',
  'Helena',
  'Tomas',
  'Julia',
  'Anton',
  'Margaret',
  'Edward',
  'Louise',
  'Frederick',
  'Agnes',
  'Walter',
];
const SURNAMES = [
  'Hartley',
  'Bergman',
  'Lindqvist',
  'Moreau',
  'Castellano',
  'Whitfield',
  'Okafor',
  'Novak',
  'Fairbanks',
  'Ashdown',
  'Rowntree',
  'Delacroix',
  'Brennan',
  'Sandoval',
  'Kowalski',
  'Thornton',
  'Vasquez',
  'Holloway',
  'Lindgren',
];
const CITIES = [
  'Lisbon',
  'Kyoto',
  'Edinburgh',
  'Montreal',
  'Vienna',
  'Buenos Aires',
  'Melbourne',
  'Oslo',
  'Prague',
  'Seville',
  'Chicago',
  'Nairobi',
  'Toronto',
  'Hamburg',
  'Dublin',
];
const COUNTRIES = ['Portugal', 'Japan', 'Scotland', 'Canada', 'Austria', 'Argentina', 'Australia'];
const ORGANIZATIONS = [
  'Royal Academy of Music',
  'University of Edinburgh',
  'National Film Board',
  'Vienna Philharmonic',
  'Columbia Records',
  'British Broadcasting Corporation',
  'Massachusetts Institute of Technology',
  'Paramount Pictures',
  'Royal Society',
  'Metropolitan Opera',
];
const WORKS = [
  'The Silent Harbour',
  'Winter Light',
  'A Map of Rivers',
  'The Glass Orchard',
  'Northern Lines',
  'The Last Lighthouse',
  'Evening in Kyoto',
  'The Paper Crown',
];
const PROFESSIONS = ['composer', 'novelist', 'film director', 'physicist', 'painter', 'architect'];

/** The i-th of a list, walking it with a stride so that neighbours differ (deterministic). */
const pick = <T>(list: readonly T[], index: number, stride: number): T =>
  list[(index * stride + Math.floor(index / list.length)) % list.length];

const personName = (index: number) => `${pick(FIRST_NAMES, index, 7)} ${pick(SURNAMES, index, 11)}`;

/**
 * `count` encyclopedia-style passages about made-up people, with the places, organisations,
 * works and dates that MuSiQue-like passages name, so that extraction finds entities and
 * relations and documents share some of them (entity resolution and MERGE on existing nodes).
 */
export function warmUpPassages(count: number): { title: string; text: string }[] {
  return Array.from({ length: count }, (_, index) => {
    const person = personName(index);
    const partner = personName(index + 3);
    const city = pick(CITIES, index, 4);
    const workCity = pick(CITIES, index + 5, 2);
    const organization = pick(ORGANIZATIONS, index, 3);
    const work = pick(WORKS, index, 5);
    const born = 1890 + ((index * 7) % 90);
    const sentences = [
      `${person} (born ${born} in ${city}) is a ${pick(PROFESSIONS, index, 1)} from ${pick(COUNTRIES, index, 3)}.`,
      `${person} studied at the ${organization} in ${workCity} and later worked for ${pick(ORGANIZATIONS, index + 4, 7)}.`,
      `In ${born + 31}, ${person} married ${partner}, who wrote ${work}.`,
      `${work} was first performed in ${workCity} on 12 March ${born + 40} and was later adapted by ${personName(index + 9)}.`,
      // Longer passages now and then: chunking then splits on sentence boundaries.
      ...(index % 10 === 0
        ? Array.from(
            { length: 8 },
            (_, sentence) =>
              `During ${born + 20 + sentence}, ${person} visited ${pick(CITIES, index + sentence, 3)} with ${personName(index + sentence)} to meet members of the ${pick(ORGANIZATIONS, index + sentence, 1)}.`,
          )
        : []),
    ];
    return { title: `${person} (${pick(PROFESSIONS, index, 1)})`, text: sentences.join(' ') };
  });
}

export interface WarmUpDocument {
  documentId: string;
  title: string;
  chunks: TextChunk[];
  knowledge: ExtractionResult;
}

/** What analysis and extraction make of the made-up passages, as the `ai` queue's steps do. */
export async function analyseWarmUpPassages(
  count: number,
  extractor: KnowledgeExtractor,
): Promise<WarmUpDocument[]> {
  const documents: WarmUpDocument[] = [];
  for (const { title, text } of warmUpPassages(count)) {
    const bytes = Buffer.from(text, 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const documentId = documentIdFor(WARM_UP_WORKSPACE, sha256);
    const extracted = await extractText(bytes, 'text');
    detectLanguage(extracted.text);
    const chunks = chunkDocument(extracted);
    const knowledge = await extractor.extract(
      chunks.map((chunk) => ({ id: chunkIdFor(documentId, chunk.ord), text: chunk.text, title })),
    );
    documents.push({ documentId, title, chunks, knowledge });
  }
  return documents;
}

export interface StorageWarmUpDependencies {
  graph: DocumentGraphRepository;
  vectors: ChunkVectorIndex;
  /** Drops the warm-up workspace's vector tenant at the end. */
  removeVectorTenant: (workspaceId: string) => Promise<void>;
  dimensions: number;
}

/**
 * The `storage` queue's statements over the made-up documents, batch by batch as writeGraph and
 * indexVectors run them, then the removal a deletion runs. A warm-up killed half-way leaves its
 * documents behind; the next one finds them (`documentsInGraph`) and replaces them, as a
 * re-processed document is, and removes them at its end with any it did not make itself.
 */
export async function warmUpStorage(
  documents: readonly WarmUpDocument[],
  deps: StorageWarmUpDependencies,
): Promise<void> {
  const workspaceId = WARM_UP_WORKSPACE;
  for (let start = 0; start < documents.length; start += WARM_UP_BATCH) {
    const batch = documents.slice(start, start + WARM_UP_BATCH);
    const documentIds = batch.map(({ documentId }) => documentId);
    await deps.graph.removeDocuments(
      workspaceId,
      await deps.graph.documentsInGraph(workspaceId, documentIds),
    );
    const resolver = new EntityResolver();
    await deps.graph.writeDocuments(
      workspaceId,
      batch.map(({ documentId, title, chunks, knowledge }) => ({
        documentId,
        title,
        chunks,
        knowledge: resolver.resolveResult(knowledge),
      })),
    );
    const entityKeys = await deps.graph.chunkEntityKeys(workspaceId, documentIds);
    await deps.vectors.indexDocuments(
      workspaceId,
      batch.map(({ documentId, title, chunks }) => ({
        documentId,
        title,
        chunks,
        vectors: chunks.map((_, ord) => unitVector(deps.dimensions, start + ord)),
        entityKeys,
      })),
    );
  }
  const documentIds = documents.map(({ documentId }) => documentId);
  await deps.graph.removeDocuments(workspaceId, documentIds);
  await deps.vectors.removeDocuments(workspaceId, documentIds);
  // Then whatever else is left: the documents of a killed warm-up over more of them (another
  // CAIRN_WORKER_WARM_UP_DOCUMENTS), or relations a replica warming up at the same moment wrote
  // for documents this one had just removed (both write the same ids).
  await deps.graph.removeAllKnowledge(workspaceId);
  await deps.removeVectorTenant(workspaceId);
}

/** A vector of length one with a deterministic direction (the made-up chunks need some). */
function unitVector(dimensions: number, seed: number): Float32Array {
  const vector = new Float32Array(dimensions);
  vector[seed % dimensions] = 1;
  return vector;
}

/** The queues whose first tasks a warm-up speeds up; `general` only books and orchestrates. */
export const WARMED_QUEUES: readonly TaskQueueName[] = ['ai', 'storage'];
