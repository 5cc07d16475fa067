/**
 * Canonical keys and alias evidence for entity names. Keys are what the graph MERGEs on, so every
 * rule here decides which surface forms become one node: keep them conservative.
 */

const LEADING_HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'rev',
  'hon',
]);

/** Words left out of acronyms ("University of California" → "UC"). */
const ACRONYM_SKIPPED_WORDS = new Set([
  'of',
  'the',
  'and',
  'for',
  'de',
  'in',
  'on',
  'at',
  'a',
  'an',
]);

/**
 * Abbreviations that Wikipedia-style text uses without ever spelling out the long form nearby, so
 * no in-document evidence would tie them together. Kept to unambiguous, very frequent ones.
 */
export const WELL_KNOWN_ALIASES: Readonly<Record<string, string>> = {
  US: 'United States',
  USA: 'United States',
  'United States of America': 'United States',
  UK: 'United Kingdom',
  NYC: 'New York City',
  UN: 'United Nations',
  EU: 'European Union',
  USSR: 'Soviet Union',
  UAE: 'United Arab Emirates',
};

const DOTTED_ACRONYM = /\b(?:\p{L}\.){2,}/gu;

/** "U.S.A." → "USA": dotted and undotted acronyms are the same name. */
function collapseDottedAcronyms(name: string): string {
  return name.replace(DOTTED_ACRONYM, (match) => match.replace(/\./g, ''));
}

function stripDiacritics(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

/** A lone lower-case common noun loses a simple plural ("networks" → "network"). Capitalised
 * words and words inside multi-word names keep it: there the "s" is usually part of the name
 * ("new york times", "Rolling Stones" ≠ "Rolling Stone"). */
function singularizeCommonNoun(word: string, original: string): string {
  if (!/^\p{Ll}/u.test(original) || word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is|ous)$/.test(word)) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/**
 * Canonical key of an entity name: case, diacritics, punctuation, whitespace, a leading "the", a
 * leading honorific, a possessive 's and a lone common noun's plural do not change it.
 * "The New York Times", "new york times" and "New-York Times" all give "new york times".
 */
export function entityKey(name: string): string {
  const cleaned = stripDiacritics(collapseDottedAcronyms(name))
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/(\p{L})'s\b/gu, '$1')
    .replace(/(\p{L}s)'(?=\s|$)/gu, '$1')
    .replace(/'/g, '')
    .replace(/&/g, ' and ');
  const originalWords = cleaned.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
  let words = originalWords.map((word) => word.toLowerCase());
  let originals = originalWords;
  while (words.length > 1 && (words[0] === 'the' || LEADING_HONORIFICS.has(words[0]))) {
    words = words.slice(1);
    originals = originals.slice(1);
  }
  if (words.length === 0) return '';
  if (words.length === 1) words[0] = singularizeCommonNoun(words[0], originals[0]);
  return words.join(' ');
}

/** True for surfaces like "NYC", "U.S.", "NASA", "3M": short, upper-case, at least two letters. */
export function looksLikeAcronym(surface: string): boolean {
  const collapsed = collapseDottedAcronyms(surface.trim());
  if (!/^[\p{Lu}][\p{Lu}\p{N}&]{1,7}$/u.test(collapsed)) return false;
  return (collapsed.match(/\p{Lu}/gu) ?? []).length >= 2;
}

/** Initials of the significant words: "New York City" → "NYC", "University of California, Los
 * Angeles" → "UCLA". Undefined when the name has fewer than two significant words. */
export function acronymOf(name: string): string | undefined {
  const words = stripDiacritics(name)
    .split(/[\s\-–—,/]+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((word) => word.length > 0 && !ACRONYM_SKIPPED_WORDS.has(word.toLowerCase()));
  if (words.length < 2) return undefined;
  return words.map((word) => word[0].toUpperCase()).join('');
}

/** Whether `acronym` abbreviates `longName`, with or without the small words' initials
 * ("BoA" style mixed case is not accepted; "DoD" is rare enough to miss). */
export function isAcronymFor(acronym: string, longName: string): boolean {
  if (!looksLikeAcronym(acronym)) return false;
  const letters = collapseDottedAcronyms(acronym.trim()).toUpperCase();
  if (acronymOf(longName) === letters) return true;
  const allInitials = stripDiacritics(longName)
    .split(/[\s\-–—,/]+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter((word) => word.length > 0)
    .map((word) => word[0].toUpperCase())
    .join('');
  return allInitials.length >= 2 && allInitials === letters;
}

/** The long form the alias table gives for a name, if any. */
export function wellKnownLongForm(name: string): string | undefined {
  const collapsed = collapseDottedAcronyms(name.trim());
  return WELL_KNOWN_ALIASES[collapsed];
}

export interface AliasDeclaration {
  longForm: string;
  alias: string;
}

/**
 * Aliases a text declares outright: "New York City (NYC)" when the parenthesis abbreviates the
 * words before it. `candidateLongForms` are the names the extractor already found in the text, so
 * the long form is one of them rather than a guess at where a phrase starts.
 */
export function findParentheticalAcronyms(
  text: string,
  candidateLongForms: readonly string[],
): AliasDeclaration[] {
  const declarations: AliasDeclaration[] = [];
  const parenthetical = /\(\s*([\p{Lu}][\p{Lu}\p{N}.&]{1,9})\s*\)/gu;
  for (const match of text.matchAll(parenthetical)) {
    const alias = match[1];
    const before = text.slice(Math.max(0, match.index - 120), match.index).trimEnd();
    const longForm = candidateLongForms
      .filter((name) => before.endsWith(name) && isAcronymFor(alias, name))
      .sort((a, b) => b.length - a.length)[0];
    if (longForm !== undefined) declarations.push({ longForm, alias });
  }
  return declarations;
}
