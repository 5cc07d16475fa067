import winkNLP from 'wink-nlp';
import type { WinkMethods } from 'wink-nlp';
import englishLiteModel from 'wink-eng-lite-web-model';
import { EntityResolver, dedupeRelations } from './entity-resolver';
import {
  CATEGORY_NOUN_TYPES,
  isCommonWord,
  isDemonym,
  isFirstName,
  isHonorific,
  isMonthOrWeekday,
  isPersonName,
  lexiconTags,
  typeFromDisambiguation,
  typeFromHeadWords,
  typeFromLexicon,
} from './lexicon';
import { entityKey, findParentheticalAcronyms, wellKnownLongForm } from './normalize';
import type {
  ChunkForExtraction,
  EntityMention,
  EntityType,
  ExtractedEntity,
  ExtractedRelation,
  ExtractionResult,
  KnowledgeExtractor,
} from './types';

export interface NlpExtractorOptions {
  /** Dates ("January 1960", "1963") as entities of type 'date'. Default true. */
  includeDates?: boolean;
  /** Each mention is related to at most this many following mentions of its sentence. Default 6. */
  maxRelationsPerMention?: number;
  /** Mentions further apart than this many tokens are not related. Default 30. */
  maxRelationDistance?: number;
}

/** wink-nlp's pipeline with the lite English model: tokens, sentences, POS, lemmas and dates,
 * ~1,500 passages/s on one core, no model download. Loaded once per process. */
let winkPipeline: WinkMethods | undefined;
function wink(): WinkMethods {
  winkPipeline ??= winkNLP(englishLiteModel, ['sbd', 'pos', 'ner']);
  return winkPipeline;
}

/** Lower-case words allowed inside a name: "Bank of America", "Leonardo da Vinci". */
const NAME_CONNECTORS = new Set([
  'of',
  'the',
  'de',
  'du',
  'des',
  'la',
  'le',
  'von',
  'van',
  'der',
  'den',
  'di',
  'da',
  'del',
  'y',
  'al',
  'bin',
  'ibn',
  'on',
  'upon',
  'for',
  'and',
  '&',
]);
/** Connectors that may join two names only when the result is a known kind of name. */
const WEAK_CONNECTORS = new Set(['and', 'for', 'on', 'upon', '&']);
const CLOSED_CLASS_POS = new Set([
  'DET',
  'PRON',
  'ADP',
  'CCONJ',
  'SCONJ',
  'AUX',
  'PART',
  'INTJ',
  'PUNCT',
  'SYM',
  'NUM',
  'SPACE',
]);
const OPENING_QUOTES = new Set(['`', '"', '\u201c', "'", '\u2018']);
const ROMAN_NUMERAL = /^(?=[MDCLXVI])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$/;
const MAX_NAME_TOKENS = 10;
const MONTHS = new Set([
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
]);
const ADJECTIVAL_SUFFIX = /(ish|ese|ian|ean|an|ic|i)$/;

interface TokenTable {
  values: string[];
  lower: string[];
  pos: string[];
  starts: number[];
  ends: number[];
  /** Whitespace before each token: '' means glued to the previous one ("Wiley-Blackwell"). */
  spaces: string[];
  /** Lower-case forms of words this chunk capitalises somewhere other than a sentence start. */
  capitalisedInside: Set<string>;
}

interface Candidate {
  key: string;
  surface: string;
  type: EntityType;
  /** First and last token, inclusive; -1 for the document title when the text never names it. */
  firstToken: number;
  lastToken: number;
  start: number;
  end: number;
  isTitle: boolean;
}

function tokenTable(text: string, values: string[], pos: string[], spaces: string[]): TokenTable {
  const starts: number[] = new Array<number>(values.length);
  const ends: number[] = new Array<number>(values.length);
  let cursor = 0;
  for (let index = 0; index < values.length; index += 1) {
    const expected = cursor + spaces[index].length;
    // wink keeps token values verbatim; search anyway so a normalised token cannot shift offsets.
    const found = text.startsWith(values[index], expected)
      ? expected
      : text.indexOf(values[index], cursor);
    const start = found >= 0 && found <= expected + 8 ? found : Math.min(expected, text.length);
    starts[index] = start;
    ends[index] =
      found === start
        ? start + values[index].length
        : Math.min(start + values[index].length, text.length);
    cursor = ends[index];
  }
  const lower = values.map((value) => value.toLowerCase());
  return { values, lower, pos, starts, ends, spaces, capitalisedInside: new Set<string>() };
}

function isCapitalised(value: string): boolean {
  return /^\p{Lu}/u.test(value);
}

function isNameNumber(value: string): boolean {
  return /^\d{1,3}$/.test(value) || ROMAN_NUMERAL.test(value);
}

/** Title without its disambiguation: "Thriller (album)" → ["Thriller", "album"]. */
function splitTitle(title: string): { name: string; disambiguation?: string } {
  const match = /^(.*?)\s*\(([^)]*)\)\s*$/.exec(title.trim());
  if (match === null || match[1].length === 0) return { name: title.trim() };
  return { name: match[1], disambiguation: match[2] };
}

export class NlpKnowledgeExtractor implements KnowledgeExtractor {
  readonly name = 'nlp';
  private readonly includeDates: boolean;
  private readonly maxRelationsPerMention: number;
  private readonly maxRelationDistance: number;

  constructor(options: NlpExtractorOptions = {}) {
    this.includeDates = options.includeDates ?? true;
    this.maxRelationsPerMention = options.maxRelationsPerMention ?? 6;
    this.maxRelationDistance = options.maxRelationDistance ?? 30;
  }

  async extract(chunks: ChunkForExtraction[]): Promise<ExtractionResult> {
    return this.extractSync(chunks);
  }

  /** Synchronous core, for scripts and benchmarks; `extract` is the interface. */
  extractSync(chunks: readonly ChunkForExtraction[]): ExtractionResult {
    // Acronym and surname resolution needs one document's view, so chunks are grouped by title.
    const byDocument = new Map<string, ChunkForExtraction[]>();
    for (const chunk of chunks) {
      const documentKey = chunk.title ?? '';
      byDocument.set(documentKey, [...(byDocument.get(documentKey) ?? []), chunk]);
    }
    const resolver = new EntityResolver();
    const entities: ExtractedEntity[] = [];
    const relations: ExtractedRelation[] = [];
    for (const documentChunks of byDocument.values()) {
      const perChunk = documentChunks.map((chunk) => this.extractChunk(chunk));
      const resolved = resolver.resolveResult({
        entities: mergeByKey(perChunk.flatMap((result) => result.entities)),
        relations: perChunk.flatMap((result) => result.relations),
      });
      entities.push(...resolved.entities);
      relations.push(...resolved.relations);
    }
    return { entities: mergeByKey(entities), relations: dedupeRelations(relations) };
  }

  /* eslint-disable @typescript-eslint/unbound-method -- wink's `its.*` are stateless helpers that
     its API takes as arguments; they are never called as methods. */
  private extractChunk(chunk: ChunkForExtraction): ExtractionResult {
    const { text } = chunk;
    const doc = wink().readDoc(text);
    const its = wink().its;
    const tokens = tokenTable(
      text,
      doc.tokens().out(its.value),
      doc.tokens().out(its.pos),
      doc.tokens().out(its.precedingSpaces),
    );
    const sentences = (doc.sentences().out(its.span) as unknown as [number, number][]).map(
      ([first, last]): [number, number] => [first, last],
    );
    for (const [first, last] of sentences) {
      for (let index = first + 1; index <= last; index += 1) {
        if (isCapitalised(tokens.values[index]) && !OPENING_QUOTES.has(tokens.values[index - 1]))
          tokens.capitalisedInside.add(tokens.lower[index]);
      }
    }
    /* eslint-enable @typescript-eslint/unbound-method */
    const dateSpans = this.includeDates ? dateEntitySpans(doc, its) : [];

    const candidates: Candidate[] = [];
    const title = chunk.title === undefined ? undefined : splitTitle(chunk.title);
    if (title !== undefined) candidates.push(...titleMentions(text, tokens, title.name));
    for (const [first, last] of dateSpans) {
      const surface = text.slice(tokens.starts[first], tokens.ends[last]);
      candidates.push(candidateOf(tokens, first, last, entityKey(surface), 'date', false));
    }
    for (const [first, last] of sentences)
      candidates.push(...properNounPhrases(tokens, first, last));

    const mentions = dropOverlaps(candidates.filter((candidate) => candidate.key !== ''));
    const titleKey = title === undefined ? undefined : entityKey(title.name);
    const titleType =
      title === undefined ? undefined : typeOfTitle(title.disambiguation, tokens, sentences[0]);

    const aliasesByKey = new Map<string, Set<string>>();
    const longForms = [...new Set(mentions.map((mention) => mention.surface))];
    for (const { longForm, alias } of findParentheticalAcronyms(text, longForms)) {
      const key = entityKey(longForm);
      aliasesByKey.set(key, (aliasesByKey.get(key) ?? new Set<string>()).add(alias));
    }

    const entities: ExtractedEntity[] = mentions.map((mention) => ({
      key: mention.key,
      name: wellKnownLongForm(mention.surface) ?? mention.surface,
      type: mention.key === titleKey && titleType !== undefined ? titleType : mention.type,
      aliases: [
        ...(aliasesByKey.get(mention.key) ?? []),
        ...(wellKnownLongForm(mention.surface) === undefined ? [] : [mention.surface]),
      ],
      mentions: [
        { chunkId: chunk.id, start: mention.start, end: mention.end, surface: mention.surface },
      ],
    }));
    if (
      title !== undefined &&
      titleKey !== undefined &&
      titleKey !== '' &&
      !mentions.some((m) => m.key === titleKey)
    ) {
      // The passage is about its title even when it never repeats it (an empty mention says so).
      entities.push({
        key: titleKey,
        name: title.name,
        type: titleType ?? 'other',
        aliases: [],
        mentions: [{ chunkId: chunk.id, start: 0, end: 0, surface: '' }],
      });
    }
    const relations = this.relationsOf(chunk, tokens, sentences, mentions, titleKey);
    return { entities, relations };
  }

  private relationsOf(
    chunk: ChunkForExtraction,
    tokens: TokenTable,
    sentences: [number, number][],
    mentions: Candidate[],
    titleKey: string | undefined,
  ): ExtractedRelation[] {
    const relations: ExtractedRelation[] = [];
    for (const [first, last] of sentences) {
      const inSentence = mentions
        .filter((mention) => mention.firstToken >= first && mention.lastToken <= last)
        .sort((a, b) => a.firstToken - b.firstToken);
      const evidence = chunk.text.slice(tokens.starts[first], tokens.ends[last]).trim();
      for (let i = 0; i < inSentence.length; i += 1) {
        const limit = Math.min(inSentence.length, i + 1 + this.maxRelationsPerMention);
        for (let j = i + 1; j < limit; j += 1) {
          const source = inSentence[i];
          const target = inSentence[j];
          const gap = target.firstToken - source.lastToken - 1;
          if (gap > this.maxRelationDistance || source.key === target.key) continue;
          // Two dates in one sentence say nothing about each other ("between 1940 and 1956").
          if (source.type === 'date' && target.type === 'date') continue;
          relations.push({
            sourceKey: source.key,
            targetKey: target.key,
            predicate: predicateBetween(tokens, source.lastToken + 1, target.firstToken - 1),
            chunkId: chunk.id,
            evidence,
            weight: proximityWeight(gap),
          });
        }
      }
      // A sentence that does not name the passage's subject is still about it in encyclopedic text
      // ("He was born in Ulm."): relate the title to what the sentence names, a little weaker.
      if (titleKey === undefined || titleKey === '' || inSentence.some((m) => m.key === titleKey))
        continue;
      for (const target of inSentence.slice(0, this.maxRelationsPerMention)) {
        const gap = target.firstToken - first;
        if (gap > this.maxRelationDistance) continue;
        relations.push({
          sourceKey: titleKey,
          targetKey: target.key,
          predicate: predicateBetween(tokens, first, target.firstToken - 1),
          chunkId: chunk.id,
          evidence,
          weight: Math.round(proximityWeight(gap) * 0.7 * 1000) / 1000,
        });
      }
    }
    return relations;
  }
}

function proximityWeight(gapTokens: number): number {
  return Math.round((1 / (1 + Math.max(0, gapTokens) / 5)) * 1000) / 1000;
}

/** "is a journal published monthly by the" → "published by"; no verb → 'related_to'. */
function predicateBetween(tokens: TokenTable, first: number, last: number): string {
  let verb = -1;
  for (let index = last; index >= first; index -= 1) {
    if (tokens.pos[index] === 'VERB' && /^\p{L}/u.test(tokens.values[index])) {
      verb = index;
      break;
    }
  }
  if (verb < 0) return 'related_to';
  const words = [tokens.lower[verb]];
  for (let index = verb + 1; index <= last && index <= verb + 3; index += 1) {
    const pos = tokens.pos[index];
    if (pos === 'ADV') continue;
    if (pos === 'ADP' || pos === 'PART') words.push(tokens.lower[index]);
    break;
  }
  return words.join(' ');
}

function candidateOf(
  tokens: TokenTable,
  first: number,
  last: number,
  key: string,
  type: EntityType,
  isTitle: boolean,
): Candidate {
  const start = tokens.starts[first];
  const end = tokens.ends[last];
  return {
    key,
    surface: tokens.values.length === 0 ? '' : sliceSurface(tokens, first, last),
    type,
    firstToken: first,
    lastToken: last,
    start,
    end,
    isTitle,
  };
}

function sliceSurface(tokens: TokenTable, first: number, last: number): string {
  let surface = tokens.values[first];
  for (let index = first + 1; index <= last; index += 1)
    surface += tokens.spaces[index] + tokens.values[index];
  return surface;
}

/* eslint-disable @typescript-eslint/unbound-method -- see extractChunk */
function dateEntitySpans(
  doc: ReturnType<WinkMethods['readDoc']>,
  its: WinkMethods['its'],
): [number, number][] {
  const types: string[] = doc.entities().out(its.type);
  const spans = doc.entities().out(its.span) as unknown as [number, number][];
  // Only real dates: a year or a month with a year; "first" and "1.355" are not entities.
  const values: string[] = doc.entities().out(its.value);
  return spans.filter(
    (_span, index) => types[index] === 'DATE' && /\b(1\d{3}|20\d{2})s?\b/.test(values[index]),
  );
}
/* eslint-enable @typescript-eslint/unbound-method */

/** Occurrences of the document title in the text (case-insensitive), mapped to token spans. */
function titleMentions(text: string, tokens: TokenTable, titleName: string): Candidate[] {
  const key = entityKey(titleName);
  if (key === '' || tokens.values.length === 0 || titleName.length === 0) return [];
  // Lower-casing keeps offsets only when it keeps the length (it does not for "İ"): else match exactly.
  const lowerText = text.toLowerCase();
  const lowerTitle = titleName.toLowerCase();
  const caseless = lowerText.length === text.length && lowerTitle.length === titleName.length;
  const haystack = caseless ? lowerText : text;
  const needle = caseless ? lowerTitle : titleName;
  const found: Candidate[] = [];
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const first = tokens.starts.indexOf(at);
    const last = tokens.ends.indexOf(at + needle.length, Math.max(first, 0));
    if (first < 0 || last < first) continue; // inside a longer word
    found.push(candidateOf(tokens, first, last, key, 'other', true));
  }
  return found;
}

/** Whether a capitalised token can open a name; sentence-initial words need more evidence. */
function canStartName(
  tokens: TokenTable,
  index: number,
  sentenceStart: number,
  sentenceEnd: number,
): boolean {
  const value = tokens.values[index];
  if (!isCapitalised(value)) return false;
  if (CLOSED_CLASS_POS.has(tokens.pos[index]) && tokens.pos[index] !== 'NUM') return false;
  if (isHonorific(tokens.lower[index])) return false;
  const afterQuote = index > sentenceStart && OPENING_QUOTES.has(tokens.values[index - 1]);
  if (index !== sentenceStart && !afterQuote) return true;
  const lower = tokens.lower[index];
  if (typeFromLexicon(lower) !== undefined || isPersonName(lower)) return true;
  if (index < sentenceEnd && lexiconTags(`${lower} ${tokens.lower[index + 1]}`).length > 0)
    return true;
  if (isCommonWord(lower)) return false;
  // "Winters are cool": a capital that only the sentence start explains is no evidence of a name,
  // unless the chunk also capitalises the word mid-sentence or the next word is capitalised too.
  return (
    tokens.capitalisedInside.has(lower) ||
    (index < sentenceEnd && isCapitalised(tokens.values[index + 1]))
  );
}

/** Capitalised token runs within one sentence, with connectors inside ("Bank of America"). */
function properNounPhrases(
  tokens: TokenTable,
  sentenceStart: number,
  sentenceEnd: number,
): Candidate[] {
  const phrases: Candidate[] = [];
  let index = sentenceStart;
  while (index <= sentenceEnd) {
    if (!canStartName(tokens, index, sentenceStart, sentenceEnd)) {
      index += 1;
      continue;
    }
    let last = index;
    let cursor = index + 1;
    while (cursor <= sentenceEnd && cursor - index < MAX_NAME_TOKENS) {
      const value = tokens.values[cursor];
      const glued = tokens.spaces[cursor] === '';
      // wink splits some words at non-ASCII letters ("Kapš" → "Kap" + "š"): glue them back.
      if (glued && /^\p{L}/u.test(value) && /\p{L}$/u.test(tokens.values[cursor - 1])) {
        last = cursor;
        cursor += 1;
        continue;
      }
      if (isCapitalised(value) && (tokens.pos[cursor] !== 'PRON' || value.length > 2)) {
        if (!glued && tokens.values[cursor - 1] === "'s") break;
        last = cursor;
        cursor += 1;
        continue;
      }
      // "Wiley-Blackwell", "O'Neill": a hyphen or apostrophe glued between two capitalised parts.
      if (
        glued &&
        (value === '-' || value === "'") &&
        cursor + 1 <= sentenceEnd &&
        tokens.spaces[cursor + 1] === '' &&
        isCapitalised(tokens.values[cursor + 1])
      ) {
        cursor += 1;
        continue;
      }
      if (isNameNumber(value) && cursor === last + 1 && !isMonthOrWeekday(tokens.lower[last])) {
        last = cursor;
        cursor += 1;
        continue;
      }
      const connector = tokens.lower[cursor];
      if (NAME_CONNECTORS.has(connector) && value === connector) {
        const next = cursor + 1;
        const afterThe = next <= sentenceEnd && tokens.lower[next] === 'the' ? next + 1 : next;
        if (afterThe <= sentenceEnd && isCapitalised(tokens.values[afterThe])) {
          if (WEAK_CONNECTORS.has(connector) && !joinsKnownName(tokens, index, afterThe)) break;
          // "Golden State Warriors of the National Basketball Association" is two names.
          // (but "National Register of Historic Places" is one: its left part is no name by itself).
          if (
            last > index &&
            capitalisedRun(tokens, afterThe, sentenceEnd) >= 2 &&
            isCompleteName(tokens.lower.slice(index, last + 1))
          )
            break;
          cursor = afterThe;
          continue;
        }
      }
      break;
    }
    const phrase = typedPhrase(tokens, index, last, sentenceStart);
    if (phrase !== undefined) phrases.push(phrase);
    index = last + 1;
  }
  return phrases;
}

function isCompleteName(lowerWords: string[]): boolean {
  return (
    typeFromLexicon(lowerWords.join(' ')) !== undefined ||
    typeFromHeadWords(lowerWords) !== undefined
  );
}

function capitalisedRun(tokens: TokenTable, from: number, sentenceEnd: number): number {
  let length = 0;
  while (from + length <= sentenceEnd && isCapitalised(tokens.values[from + length])) length += 1;
  return length;
}

/** "Procter & Gamble", "Department for Education": weak connectors only inside organisation-like names. */
function joinsKnownName(tokens: TokenTable, first: number, nextCapitalised: number): boolean {
  const words = tokens.lower.slice(first, nextCapitalised + 1);
  return (
    lexiconTags(words.join(' ')).length > 0 ||
    typeFromHeadWords(tokens.lower.slice(first, nextCapitalised)) === 'organization'
  );
}

function typedPhrase(
  tokens: TokenTable,
  first: number,
  last: number,
  sentenceStart: number,
): Candidate | undefined {
  const lowerWords = tokens.lower.slice(first, last + 1);
  const surfaceWords = tokens.values.slice(first, last + 1);
  if (surfaceWords.length === 1) {
    const lower = lowerWords[0];
    // Lone capitalised words that are not names: "American", "January", "He", "I".
    if (isDemonym(lower) || isMonthOrWeekday(lower) || MONTHS.has(lower) || lower.length < 2)
      return undefined;
    // "British teams", "Norwegian sailor": a nationality or language used as an adjective.
    const next = first + 1 < tokens.values.length ? first + 1 : -1;
    if (
      next >= 0 &&
      ADJECTIVAL_SUFFIX.test(lower) &&
      tokens.pos[next] === 'NOUN' &&
      !isCapitalised(tokens.values[next]) &&
      typeFromLexicon(lower) === undefined
    )
      return undefined;
    if (tokens.pos[first] === 'PRON' || (first === sentenceStart && isCommonWord(lower)))
      return undefined;
  }
  const surface = sliceSurface(tokens, first, last);
  // "U.S." and "USA" are keyed as "United States": the alias table's abbreviations rarely come
  // with their long form in the same passage, so resolution has nothing else to go on.
  const longForm = wellKnownLongForm(surface);
  const key = entityKey(longForm ?? surface);
  if (key === '' || /^\d+$/.test(key)) return undefined;
  const type = longForm === undefined ? typeOfPhrase(tokens, first, last, lowerWords) : 'place';
  return candidateOf(tokens, first, last, key, type, false);
}

function typeOfPhrase(
  tokens: TokenTable,
  first: number,
  last: number,
  lowerWords: string[],
): EntityType {
  const previous = first > 0 ? tokens.lower[first - 1] : '';
  const next = last + 1 < tokens.values.length ? tokens.values[last + 1] : '';
  if (OPENING_QUOTES.has(previous) && (next === "'" || next === '"' || next === '\u201d'))
    return 'work';
  const cue = CATEGORY_NOUN_TYPES.get(previous);
  if (cue === 'work') return 'work';
  if (isHonorific(previous)) return 'person';
  const whole = typeFromLexicon(lowerWords.join(' '));
  if (whole !== undefined) return whole;
  const headType = typeFromHeadWords(lowerWords);
  if (headType !== undefined) return headType;
  if (lowerWords.length >= 2 && lowerWords.length <= 4 && isFirstName(lowerWords[0]))
    return 'person';
  if (lowerWords.length === 1)
    return typeFromLexicon(lowerWords[0]) ?? (isPersonName(lowerWords[0]) ? 'person' : 'other');
  if (cue !== undefined) return cue;
  return 'other';
}

/** "X (born 1970) is an American actor" → person: the first category noun after is/was. */
function typeOfTitle(
  disambiguation: string | undefined,
  tokens: TokenTable,
  firstSentence: [number, number] | undefined,
): EntityType | undefined {
  if (disambiguation !== undefined) {
    const fromDisambiguation = typeFromDisambiguation(disambiguation);
    if (fromDisambiguation !== undefined) return fromDisambiguation;
  }
  if (firstSentence === undefined) return undefined;
  const [first, last] = firstSentence;
  let copula = -1;
  for (let index = first; index <= last; index += 1) {
    if (tokens.lower[index] === 'born') return 'person';
    if (copula < 0 && /^(is|was|are|were)$/.test(tokens.lower[index])) copula = index;
    if (copula >= 0 && index > copula && index <= copula + 12) {
      const type = CATEGORY_NOUN_TYPES.get(tokens.lower[index]);
      if (type !== undefined) return type;
    }
  }
  return undefined;
}

/** Overlapping candidates: the title wins, then the longer span, then the earlier one. */
function dropOverlaps(candidates: Candidate[]): Candidate[] {
  const ordered = [...candidates].sort(
    (a, b) =>
      Number(b.isTitle) - Number(a.isTitle) ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  for (const candidate of ordered) {
    if (kept.every((other) => candidate.end <= other.start || candidate.start >= other.end))
      kept.push(candidate);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Entities with one key become one: mentions joined, the most frequent surface as name. */
function mergeByKey(entities: readonly ExtractedEntity[]): ExtractedEntity[] {
  const groups = new Map<string, ExtractedEntity[]>();
  for (const entity of entities)
    groups.set(entity.key, [...(groups.get(entity.key) ?? []), entity]);
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, parts]) => {
      const mentions: EntityMention[] = parts.flatMap((part) => part.mentions);
      const counts = new Map<string, number>();
      for (const part of parts)
        counts.set(part.name, (counts.get(part.name) ?? 0) + part.mentions.length);
      const name = [...counts.entries()].sort(
        ([nameA, countA], [nameB, countB]) =>
          countB - countA || nameB.length - nameA.length || (nameA < nameB ? -1 : 1),
      )[0][0];
      const typeVotes = new Map<EntityType, number>();
      for (const part of parts)
        if (part.type !== 'other') typeVotes.set(part.type, (typeVotes.get(part.type) ?? 0) + 1);
      const type =
        [...typeVotes.entries()].sort(
          ([typeA, a], [typeB, b]) => b - a || (typeA < typeB ? -1 : 1),
        )[0]?.[0] ?? 'other';
      const aliases = new Set(parts.flatMap((part) => [...part.aliases, part.name]));
      aliases.delete(name);
      aliases.delete('');
      return { key, name, type, aliases: [...aliases].sort(), mentions };
    });
}
