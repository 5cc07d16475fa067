import franc from 'franc-min';

// Language shows in the opening paragraphs; franc itself reads at most 2,048 characters.
const SAMPLE_CHARS = 2_048;
// Below this many letters any guess is noise.
const MIN_LETTERS = 12;

const UNDETERMINED = 'und';

// franc answers in ISO 639-3; these are the ISO 639-1 codes of the languages franc-min knows.
// Languages without a two-letter code (Cebuano, Ilocano, Maithili, …) map to 'und'.
const ISO_639_1_BY_639_3: Readonly<Record<string, string>> = {
  amh: 'am',
  arb: 'ar',
  azj: 'az',
  bel: 'be',
  ben: 'bn',
  bos: 'bs',
  bul: 'bg',
  ces: 'cs',
  ckb: 'ku',
  cmn: 'zh',
  deu: 'de',
  ell: 'el',
  eng: 'en',
  fas: 'fa',
  fra: 'fr',
  fuv: 'ff',
  gax: 'om',
  guj: 'gu',
  hau: 'ha',
  hin: 'hi',
  hrv: 'hr',
  hun: 'hu',
  ibo: 'ig',
  ind: 'id',
  ita: 'it',
  jav: 'jv',
  jpn: 'ja',
  kan: 'kn',
  kaz: 'kk',
  kin: 'rw',
  kor: 'ko',
  lin: 'ln',
  mal: 'ml',
  mar: 'mr',
  mya: 'my',
  nep: 'ne',
  nld: 'nl',
  nya: 'ny',
  ori: 'or',
  pan: 'pa',
  pbu: 'ps',
  plt: 'mg',
  pol: 'pl',
  por: 'pt',
  qug: 'qu',
  ron: 'ro',
  run: 'rn',
  rus: 'ru',
  sin: 'si',
  som: 'so',
  spa: 'es',
  srp: 'sr',
  sun: 'su',
  swe: 'sv',
  swh: 'sw',
  tam: 'ta',
  tel: 'te',
  tgl: 'tl',
  tha: 'th',
  tur: 'tr',
  ukr: 'uk',
  urd: 'ur',
  uzn: 'uz',
  vie: 'vi',
  yor: 'yo',
  zlm: 'ms',
  zul: 'zu',
  zyb: 'za',
};

/**
 * English words that carry grammar rather than meaning. Running English prose is about half made
 * of them; the same share of other languages, even ones that borrow a few ("in", "an"), stays
 * under a tenth.
 */
const ENGLISH_FUNCTION_WORDS = new Set(
  (
    'the of and to in is was for with that by as on his her from at which were are be this it ' +
    'an has had have he she they their its who or not but been also after first'
  ).split(' '),
);
/** The English shortcut needs this many words to judge, and this share of function words. */
const SHORTCUT_MIN_WORDS = 20;
const SHORTCUT_MIN_SHARE = 0.2;

/** The text's language as an ISO 639-1 code ('en', 'de', …), or 'und' when it cannot tell. */
export function detectLanguage(text: string): string {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const letters = sample.match(/\p{L}/gu)?.length ?? 0;
  if (letters < MIN_LETTERS) return UNDETERMINED;
  // franc compares the sample with every language of its script, most of the cost of analysing
  // a short document; plain English, the common case, is recognised for a fraction of that.
  if (isPlainEnglish(sample)) return 'en';
  return ISO_639_1_BY_639_3[franc(sample, { minLength: MIN_LETTERS })] ?? UNDETERMINED;
}

function isPlainEnglish(sample: string): boolean {
  const words = sample.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < SHORTCUT_MIN_WORDS) return false;
  const functionWords = words.filter((word) => ENGLISH_FUNCTION_WORDS.has(word)).length;
  return functionWords / words.length >= SHORTCUT_MIN_SHARE;
}
