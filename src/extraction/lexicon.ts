import nlp from 'compromise';
import type { EntityType } from './types';

/**
 * Word knowledge for typing entities: compromise's lexicon (first names, surnames, cities,
 * countries, organisations, honorifics) and its organisation/place head words, plus small cue
 * lists of our own. We use compromise only as a dictionary: its full tagger is ~10× slower than
 * wink-nlp on the MuSiQue passages, while a lexicon lookup is a hash hit.
 */
interface CompromiseModel {
  one: { lexicon: Record<string, string | string[]> };
  two: { orgWords: Record<string, boolean>; placeWords: Record<string, boolean> };
}

let compromiseModel: CompromiseModel | undefined;
function model(): CompromiseModel {
  compromiseModel ??= nlp.model() as CompromiseModel;
  return compromiseModel;
}

/** Lexicon tags of a lower-case word or phrase ("new york" → ["Region", "ProperNoun"]). */
export function lexiconTags(lowerCase: string): readonly string[] {
  const tags = model().one.lexicon[lowerCase];
  if (tags === undefined) return [];
  return typeof tags === 'string' ? [tags] : tags;
}

const PERSON_TAGS = new Set(['MaleName', 'FemaleName', 'FirstName', 'Person', 'LastName']);
const FIRST_NAME_TAGS = new Set(['MaleName', 'FemaleName', 'FirstName']);
const PLACE_TAGS = new Set(['City', 'Country', 'Region', 'Place']);
const ORGANIZATION_TAGS = new Set(['Organization', 'SportsTeam']);
/** Open-class tags: a capitalised sentence-initial word with one of these is probably not a name. */
const COMMON_WORD_TAGS = new Set([
  'Adjective',
  'Adverb',
  'Singular',
  'Plural',
  'Uncountable',
  'Infinitive',
  'PastTense',
  'PresentTense',
  'Gerund',
  'Participle',
  'Comparative',
  'Superlative',
  'Determiner',
  'Preposition',
  'Conjunction',
  'Pronoun',
  'QuestionWord',
  'Modal',
  'Expression',
  'Noun',
  'Actor',
  'Demonym',
  'Cardinal',
  'Ordinal',
]);

export function typeFromLexicon(lowerCase: string): EntityType | undefined {
  const tags = lexiconTags(lowerCase);
  if (tags.some((tag) => ORGANIZATION_TAGS.has(tag))) return 'organization';
  if (tags.some((tag) => PLACE_TAGS.has(tag))) return 'place';
  if (tags.some((tag) => tag === 'Person')) return 'person';
  return undefined;
}

export function isFirstName(lowerCase: string): boolean {
  return lexiconTags(lowerCase).some((tag) => FIRST_NAME_TAGS.has(tag));
}

export function isPersonName(lowerCase: string): boolean {
  return lexiconTags(lowerCase).some((tag) => PERSON_TAGS.has(tag));
}

export function isCommonWord(lowerCase: string): boolean {
  const tags = lexiconTags(lowerCase);
  return (
    tags.some((tag) => COMMON_WORD_TAGS.has(tag)) &&
    !tags.some((tag) => PERSON_TAGS.has(tag) || PLACE_TAGS.has(tag))
  );
}

export function isDemonym(lowerCase: string): boolean {
  return lexiconTags(lowerCase).includes('Demonym');
}

export function isHonorific(lowerCase: string): boolean {
  return lexiconTags(lowerCase.replace(/\.$/, '')).includes('Honorific');
}

export function isMonthOrWeekday(lowerCase: string): boolean {
  return lexiconTags(lowerCase).some((tag) => tag === 'Month' || tag === 'WeekDay');
}

const EXTRA_ORGANIZATION_HEADS = new Set([
  'institute',
  'university',
  'school',
  'party',
  'records',
  'studios',
  'band',
  'orchestra',
  'league',
  'inc',
  'ltd',
  'corporation',
  'company',
  'network',
  'agency',
  'ministry',
  'navy',
  'police',
  'parliament',
  'senate',
  'congress',
]);
const EXTRA_PLACE_HEADS = new Set([
  'city',
  'town',
  'street',
  'avenue',
  'road',
  'square',
  'park',
  'airport',
  'station',
  'bridge',
  'kingdom',
  'republic',
  'empire',
  'ocean',
  'sea',
  'states',
  'palace',
  'castle',
  'stadium',
  'arena',
  'tower',
  'hall',
]);
const EVENT_WORDS = new Set([
  'war',
  'battle',
  'revolution',
  'olympics',
  'games',
  'championship',
  'championships',
  'cup',
  'election',
  'elections',
  'festival',
  'awards',
  'tournament',
  'siege',
  'massacre',
  'rebellion',
  'uprising',
  'crisis',
  'expo',
  'summit',
  'conference',
  'grand prix',
  'series',
]);
const WORK_HEADS = new Set(['journal', 'magazine', 'times', 'post', 'tribune', 'review', 'show']);

/** Type from a multi-word name's head words ("University of X", "X River", "Battle of Y"). */
export function typeFromHeadWords(lowerWords: readonly string[]): EntityType | undefined {
  const first = lowerWords[0];
  const last = lowerWords[lowerWords.length - 1];
  const { orgWords, placeWords } = model().two;
  if (EVENT_WORDS.has(last) || (lowerWords.length > 2 && EVENT_WORDS.has(first))) return 'event';
  if (WORK_HEADS.has(last) || (lowerWords.length > 2 && WORK_HEADS.has(first))) return 'work';
  if (orgWords[last] || EXTRA_ORGANIZATION_HEADS.has(last)) return 'organization';
  if (placeWords[last] || EXTRA_PLACE_HEADS.has(last)) return 'place';
  if (lowerWords.length > 2 && lowerWords[1] === 'of') {
    if (orgWords[first] || EXTRA_ORGANIZATION_HEADS.has(first)) return 'organization';
    if (placeWords[first] || EXTRA_PLACE_HEADS.has(first)) return 'place';
  }
  return undefined;
}

/** Nouns that, right before a name, say what it is: "the 1994 film Pulp Fiction". */
const WORK_CUES = [
  'film',
  'movie',
  'album',
  'song',
  'single',
  'novel',
  'book',
  'series',
  'magazine',
  'journal',
  'newspaper',
  'play',
  'opera',
  'musical',
  'painting',
  'poem',
  'game',
  'show',
  'sitcom',
  'episode',
  'soundtrack',
  'ep',
  'anthology',
  'comic',
  'manga',
  'anime',
  'documentary',
  'symphony',
];
const PLACE_CUES = [
  'city',
  'town',
  'village',
  'country',
  'river',
  'lake',
  'mountain',
  'island',
  'state',
  'province',
  'region',
  'county',
  'district',
  'capital',
  'municipality',
  'neighborhood',
  'neighbourhood',
  'suburb',
  'commune',
  'street',
  'park',
  'airport',
  'station',
  'building',
  'bridge',
  'settlement',
  'territory',
  'peninsula',
  'borough',
  'parish',
  'valley',
  'desert',
  'sea',
  'ocean',
  'stadium',
  'community',
];
const ORGANIZATION_CUES = [
  'company',
  'university',
  'college',
  'school',
  'band',
  'group',
  'organization',
  'organisation',
  'party',
  'team',
  'club',
  'corporation',
  'agency',
  'institute',
  'label',
  'network',
  'channel',
  'airline',
  'manufacturer',
  'publisher',
  'conglomerate',
  'brand',
  'franchise',
  'subsidiary',
  'retailer',
  'chain',
  'association',
  'duo',
  'trio',
  'quartet',
  'orchestra',
  'army',
  'church',
];
const PERSON_CUES = [
  'actor',
  'actress',
  'singer',
  'songwriter',
  'singer-songwriter',
  'writer',
  'politician',
  'player',
  'footballer',
  'author',
  'musician',
  'composer',
  'director',
  'producer',
  'painter',
  'poet',
  'artist',
  'scientist',
  'physicist',
  'chemist',
  'philosopher',
  'king',
  'queen',
  'emperor',
  'president',
  'rapper',
  'comedian',
  'journalist',
  'businessman',
  'businesswoman',
  'engineer',
  'architect',
  'novelist',
  'historian',
  'economist',
  'mathematician',
  'psychologist',
  'guitarist',
  'drummer',
  'bassist',
  'pianist',
  'cricketer',
  'boxer',
  'wrestler',
  'coach',
  'general',
  'officer',
  'lawyer',
  'judge',
  'priest',
  'bishop',
  'saint',
  'prince',
  'princess',
  'duke',
  'explorer',
  'inventor',
  'entrepreneur',
  'model',
  'dancer',
  'screenwriter',
  'filmmaker',
  'photographer',
  'sculptor',
  'monarch',
  'ruler',
  'pharaoh',
  'sultan',
  'presenter',
  'host',
  'personality',
  'athlete',
  'pitcher',
  'quarterback',
];
const EVENT_CUES = [
  'battle',
  'war',
  'election',
  'festival',
  'tournament',
  'championship',
  'competition',
  'season',
  'ceremony',
  'revolution',
  'conflict',
  'campaign',
  'referendum',
  'edition',
  'race',
];

/** Category nouns → entity type, for "X is an American actor" and "the film X". */
export const CATEGORY_NOUN_TYPES: ReadonlyMap<string, EntityType> = new Map<string, EntityType>([
  ...WORK_CUES.map((word): [string, EntityType] => [word, 'work']),
  ...PLACE_CUES.map((word): [string, EntityType] => [word, 'place']),
  ...ORGANIZATION_CUES.map((word): [string, EntityType] => [word, 'organization']),
  ...PERSON_CUES.map((word): [string, EntityType] => [word, 'person']),
  ...EVENT_CUES.map((word): [string, EntityType] => [word, 'event']),
]);

/** Title disambiguations: "Mercury (planet)", "Thriller (album)", "John Smith (footballer)". */
export function typeFromDisambiguation(disambiguation: string): EntityType | undefined {
  for (const word of disambiguation
    .toLowerCase()
    .split(/[\s,]+/)
    .reverse()) {
    const type = CATEGORY_NOUN_TYPES.get(word);
    if (type !== undefined) return type;
  }
  if (/\b(band|singer|rapper|group)\b/i.test(disambiguation)) return 'organization';
  return undefined;
}
