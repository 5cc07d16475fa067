import { NlpKnowledgeExtractor } from './nlp-extractor';
import type { ChunkForExtraction, ExtractionResult } from './types';

const chunks: ChunkForExtraction[] = [
  {
    id: 'c1',
    title: 'Olavum Theeravum',
    text: 'Olavum Theeravum is a 1970 Malayalam-language film directed by P. N. Menon. The film was produced by P. A. Backer in Kerala.',
  },
  {
    id: 'c2',
    title: 'Kevin Durant',
    text: 'Kevin Wayne Durant (born September 29, 1988) is an American basketball player for the Golden State Warriors of the National Basketball Association (NBA). He played one season for the University of Texas. Durant joined the NBA in 2007. He also lived in the U.S. and in New York City.',
  },
  {
    id: 'c3',
    title: 'Palermo',
    text: 'Winters are cool and wet. It receives winds from the Balkans, and British tourists visit it in May.',
  },
];

describe('NlpKnowledgeExtractor', () => {
  let result: ExtractionResult;
  beforeAll(async () => {
    result = await new NlpKnowledgeExtractor().extract(chunks);
  });

  const entity = (key: string) => result.entities.find((candidate) => candidate.key === key);

  it('gives every mention exact offsets into its chunk', () => {
    const textById = new Map(chunks.map((chunk) => [chunk.id, chunk.text]));
    for (const found of result.entities) {
      for (const mention of found.mentions) {
        expect(textById.get(mention.chunkId)?.slice(mention.start, mention.end)).toBe(
          mention.surface,
        );
      }
    }
  });

  it('finds people, works, organisations and places with types', () => {
    expect(entity('olavum theeravum')?.type).toBe('work');
    expect(entity('kevin wayne durant')?.type).toBe('person');
    expect(entity('kevin wayne durant')?.aliases).toContain('Kevin Durant');
    expect(entity('p n menon')).toBeDefined();
    expect(entity('university of texas')?.type).toBe('organization');
    expect(entity('golden state warriors')).toBeDefined();
    expect(entity('new york city')?.type).toBe('place');
  });

  it('treats the title as an entity the chunk mentions, even when the text never names it', () => {
    const palermo = entity('palermo');
    expect(palermo?.mentions).toEqual([{ chunkId: 'c3', start: 0, end: 0, surface: '' }]);
  });

  it('resolves acronyms, abbreviations and bare surnames within a document', () => {
    expect(entity('national basketball association')?.aliases).toContain('NBA');
    expect(entity('nba')).toBeUndefined();
    expect(entity('united states')?.aliases).toContain('U.S.');
    expect(entity('durant')).toBeUndefined();
  });

  it('keeps out sentence-initial common words, nationalities used as adjectives, months and pronouns', () => {
    for (const noise of ['winter', 'winters', 'british', 'may', 'he', 'it', 'the film']) {
      expect(entity(noise)).toBeUndefined();
    }
  });

  it('types dates as dates', () => {
    expect(entity('september 29 1988')?.type).toBe('date');
  });

  it('relates co-occurring entities with the verb phrase between them and the sentence as evidence', () => {
    const directed = result.relations.find(
      (relation) => relation.sourceKey === 'olavum theeravum' && relation.targetKey === 'p n menon',
    );
    expect(directed?.predicate).toBe('directed by');
    expect(directed?.evidence).toBe(
      'Olavum Theeravum is a 1970 Malayalam-language film directed by P. N. Menon.',
    );
    // "He played one season for the University of Texas." is about the title's subject.
    const played = result.relations.find(
      (relation) =>
        relation.sourceKey === 'kevin wayne durant' && relation.targetKey === 'university of texas',
    );
    expect(played?.predicate).toBe('played');
    for (const relation of result.relations) {
      expect(relation.weight).toBeGreaterThan(0);
      expect(relation.weight).toBeLessThanOrEqual(1);
      expect(relation.sourceKey).not.toBe(relation.targetKey);
    }
  });

  it('is deterministic', async () => {
    const again = await new NlpKnowledgeExtractor().extract([...chunks].reverse());
    expect(again).toEqual(result);
  });
});
