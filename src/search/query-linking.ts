import { entityKey } from '../extraction/normalize';

/**
 * What linking reads: entity keys, name and word indexes, and how common each entity is. A whole
 * WorkspaceGraph has them; search builds one from the few candidate entities Neo4j returns for
 * the query's phrases and words (graph-neighbourhood.ts).
 */
export interface LinkIndex {
  readonly entityKeys: readonly string[];
  readonly nameIndex: ReadonlyMap<string, number[]>;
  readonly wordIndex: ReadonlyMap<string, number[]>;
  mentionCount(entity: number): number;
}

/** How a query phrase was tied to an entity. */
export type LinkMethod = 'name' | 'alias' | 'fuzzy';

export interface QueryEntityLink {
  entity: number;
  /** The words of the query that name it. */
  matchedText: string;
  method: LinkMethod;
  /** In (0, 1]: how sure the match is. */
  confidence: number;
}

const MAX_PHRASE_WORDS = 8;
const FUZZY_CANDIDATES_PER_PHRASE = 3;

/** Words that never name an entity on their own in a question. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been by can did do does for from had has have he her his how i in ' +
    'into is it its me my no not of on or she so than that the their them then there these they ' +
    'this those to was we were what when where which while who whom whose why will with would ' +
    'you your also about after before between during first last many much one other same such ' +
    'than through under until up very name named called'
  ).split(' '),
);

interface QueryWord {
  text: string;
  start: number;
  end: number;
  capitalised: boolean;
}

/** Words with their offsets; apostrophes, hyphens, dots and ampersands stay inside a word. */
export function queryWords(query: string): QueryWord[] {
  const words: QueryWord[] = [];
  for (const match of query.matchAll(/[\p{L}\p{N}](?:[\p{L}\p{N}'’.&-]*[\p{L}\p{N}])?/gu)) {
    words.push({
      text: match[0],
      start: match.index,
      end: match.index + match[0].length,
      capitalised: /^[\p{Lu}\p{N}]/u.test(match[0]),
    });
  }
  return words;
}

/**
 * Entities a query names: the longest phrases whose canonical key is an entity's name or alias
 * key, left to right without overlaps; then, for runs of capitalised words nothing matched, the
 * entities whose names share the most of those words (fuzzy). Extra `namedPhrases` (e.g. names
 * an NLP extractor found in the query) are tried first, exactly.
 */
export function linkQueryEntities(
  index: LinkIndex,
  query: string,
  namedPhrases: readonly string[] = [],
): QueryEntityLink[] {
  const { links, unlinkedNames } = exactQueryLinks(index, query, namedPhrases);
  return mergeLinks(
    links,
    unlinkedNames.flatMap((phrase) => fuzzyLinks(index, phrase)),
  );
}

/** The exact phase of linkQueryEntities, and the capitalised phrases it left unlinked. */
export function exactQueryLinks(
  index: LinkIndex,
  query: string,
  namedPhrases: readonly string[] = [],
): { links: QueryEntityLink[]; unlinkedNames: string[] } {
  const links: QueryEntityLink[] = [];
  for (const phrase of namedPhrases) links.push(...exactLinks(index, phrase, 1));

  const words = queryWords(query);
  const covered = new Array<boolean>(words.length).fill(false);
  for (const { first, size, phrase } of queryPhrases(query, words)) {
    if (covered.slice(first, first + size).some(Boolean)) continue;
    const phraseWords = words.slice(first, first + size);
    // A lone lower-case word ("film") is a weak hint, a capitalised phrase a strong one.
    const confidence = phraseWords.some((word) => word.capitalised) ? 1 : size > 1 ? 0.6 : 0.3;
    const found = exactLinks(index, phrase, confidence);
    if (found.length === 0) continue;
    links.push(...found);
    for (let at = first; at < first + size; at += 1) covered[at] = true;
  }
  const unlinkedNames = uncoveredCapitalisedRuns(words, covered).map((run) =>
    query.slice(run[0].start, run[run.length - 1].end),
  );
  return { links: mergeLinks(links, []), unlinkedNames };
}

/** Links by entity, the most confident one kept for each. */
export function mergeLinks(
  first: readonly QueryEntityLink[],
  more: readonly QueryEntityLink[],
): QueryEntityLink[] {
  const links = new Map<number, QueryEntityLink>();
  for (const link of [...first, ...more]) {
    const existing = links.get(link.entity);
    if (existing === undefined || existing.confidence < link.confidence)
      links.set(link.entity, link);
  }
  return [...links.values()];
}

/** The phrases the exact phase may try, longest first, left to right. */
function queryPhrases(
  query: string,
  words: QueryWord[] = queryWords(query),
): { first: number; size: number; phrase: string }[] {
  const phrases: { first: number; size: number; phrase: string }[] = [];
  for (let size = Math.min(MAX_PHRASE_WORDS, words.length); size >= 1; size -= 1) {
    for (let first = 0; first + size <= words.length; first += 1) {
      if (size === 1 && STOP_WORDS.has(words[first].text.toLowerCase())) continue;
      phrases.push({
        first,
        size,
        phrase: query.slice(words[first].start, words[first + size - 1].end),
      });
    }
  }
  return phrases;
}

/** Every name key the exact phase may look up for this query: what to ask the store for. */
export function linkLookupKeys(query: string, namedPhrases: readonly string[] = []): string[] {
  const keys = new Set<string>();
  for (const phrase of [...namedPhrases, ...queryPhrases(query).map((p) => p.phrase)]) {
    const key = entityKey(phrase);
    if (key !== '' && !STOP_WORDS.has(key)) keys.add(key);
  }
  return [...keys];
}

/** The words fuzzy linking looks entities up by, for a phrase. */
export function fuzzyLookupWords(phrase: string): string[] {
  return [...new Set(entityKey(phrase).split(' '))].filter(
    (word) => word !== '' && !STOP_WORDS.has(word),
  );
}

function exactLinks(index: LinkIndex, phrase: string, confidence: number): QueryEntityLink[] {
  const key = entityKey(phrase);
  if (key === '' || STOP_WORDS.has(key)) return [];
  return (index.nameIndex.get(key) ?? []).map((entity) => ({
    entity,
    matchedText: phrase,
    method: index.entityKeys[entity] === key ? 'name' : 'alias',
    confidence: index.entityKeys[entity] === key ? confidence : confidence * 0.9,
  }));
}

function uncoveredCapitalisedRuns(words: QueryWord[], covered: boolean[]): QueryWord[][] {
  const runs: QueryWord[][] = [];
  let run: QueryWord[] = [];
  words.forEach((word, index) => {
    // The question's first word is capitalised by grammar, not because it is a name.
    const isName = word.capitalised && !covered[index] && !STOP_WORDS.has(word.text.toLowerCase());
    if (isName) run.push(word);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Entities sharing words with a phrase, scored by the overlap of their word sets (Jaccard);
 * rare words are looked up first so a common word ("John") does not flood the candidates.
 */
export function fuzzyLinks(index: LinkIndex, phrase: string): QueryEntityLink[] {
  const phraseWords = fuzzyLookupWords(phrase);
  if (phraseWords.length === 0) return [];
  const postings = phraseWords
    .map((word) => index.wordIndex.get(word) ?? [])
    .filter((list) => list.length > 0)
    .sort((a, b) => a.length - b.length);
  if (postings.length === 0) return [];
  const candidates = new Set(postings[0].slice(0, 200));
  const scored: QueryEntityLink[] = [];
  for (const entity of candidates) {
    const nameWords = new Set(index.entityKeys[entity].split(' '));
    const shared = phraseWords.filter((word) => nameWords.has(word)).length;
    const jaccard = shared / (phraseWords.length + nameWords.size - shared);
    if (jaccard < 0.5) continue;
    scored.push({ entity, matchedText: phrase, method: 'fuzzy', confidence: 0.8 * jaccard });
  }
  return scored
    .sort(
      (a, b) =>
        b.confidence - a.confidence || index.mentionCount(b.entity) - index.mentionCount(a.entity),
    )
    .slice(0, FUZZY_CANDIDATES_PER_PHRASE);
}
