import { entityKey } from '../extraction/normalize';
import type { WorkspaceGraph } from './workspace-graph';

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
  graph: WorkspaceGraph,
  query: string,
  namedPhrases: readonly string[] = [],
): QueryEntityLink[] {
  const links = new Map<number, QueryEntityLink>();
  const add = (link: QueryEntityLink) => {
    const existing = links.get(link.entity);
    if (existing === undefined || existing.confidence < link.confidence)
      links.set(link.entity, link);
  };

  for (const phrase of namedPhrases) {
    for (const link of exactLinks(graph, phrase, 1)) add(link);
  }

  const words = queryWords(query);
  const covered = new Array<boolean>(words.length).fill(false);
  for (let size = Math.min(MAX_PHRASE_WORDS, words.length); size >= 1; size -= 1) {
    for (let first = 0; first + size <= words.length; first += 1) {
      if (covered.slice(first, first + size).some(Boolean)) continue;
      const phraseWords = words.slice(first, first + size);
      if (size === 1 && STOP_WORDS.has(phraseWords[0].text.toLowerCase())) continue;
      const phrase = query.slice(phraseWords[0].start, phraseWords[size - 1].end);
      // A lone lower-case word ("film") is a weak hint, a capitalised phrase a strong one.
      const confidence = phraseWords.some((word) => word.capitalised) ? 1 : size > 1 ? 0.6 : 0.3;
      const found = exactLinks(graph, phrase, confidence);
      if (found.length === 0) continue;
      for (const link of found) add(link);
      for (let index = first; index < first + size; index += 1) covered[index] = true;
    }
  }

  for (const run of uncoveredCapitalisedRuns(words, covered)) {
    const phrase = query.slice(run[0].start, run[run.length - 1].end);
    for (const link of fuzzyLinks(graph, phrase)) add(link);
  }
  return [...links.values()];
}

function exactLinks(graph: WorkspaceGraph, phrase: string, confidence: number): QueryEntityLink[] {
  const key = entityKey(phrase);
  if (key === '' || STOP_WORDS.has(key)) return [];
  return (graph.nameIndex.get(key) ?? []).map((entity) => ({
    entity,
    matchedText: phrase,
    method: graph.entityKeys[entity] === key ? 'name' : 'alias',
    confidence: graph.entityKeys[entity] === key ? confidence : confidence * 0.9,
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
function fuzzyLinks(graph: WorkspaceGraph, phrase: string): QueryEntityLink[] {
  const phraseWords = [...new Set(entityKey(phrase).split(' '))].filter(
    (word) => word !== '' && !STOP_WORDS.has(word),
  );
  if (phraseWords.length === 0) return [];
  const postings = phraseWords
    .map((word) => graph.wordIndex.get(word) ?? [])
    .filter((list) => list.length > 0)
    .sort((a, b) => a.length - b.length);
  if (postings.length === 0) return [];
  const candidates = new Set(postings[0].slice(0, 200));
  const scored: QueryEntityLink[] = [];
  for (const entity of candidates) {
    const nameWords = new Set(graph.entityKeys[entity].split(' '));
    const shared = phraseWords.filter((word) => nameWords.has(word)).length;
    const jaccard = shared / (phraseWords.length + nameWords.size - shared);
    if (jaccard < 0.5) continue;
    scored.push({ entity, matchedText: phrase, method: 'fuzzy', confidence: 0.8 * jaccard });
  }
  return scored
    .sort(
      (a, b) =>
        b.confidence - a.confidence || graph.mentionCount(b.entity) - graph.mentionCount(a.entity),
    )
    .slice(0, FUZZY_CANDIDATES_PER_PHRASE);
}
