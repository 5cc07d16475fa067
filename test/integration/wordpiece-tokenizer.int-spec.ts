import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { WordPieceTokenizer } from '../../src/embedding/wordpiece-tokenizer';

/*
 * Expected ids come from the reference implementation, Hugging Face `tokenizers` 0.23.3, run once on
 * the installed tokenizer.json:
 *
 *   tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
 *   tok.no_padding(); tok.enable_truncation(256)
 *   tok.encode(text).ids
 */

const modelDir = process.env.CAIRN_EMBEDDING_MODEL_DIR ?? '';
const tokenizerPath = join(modelDir, 'tokenizer.json');

interface Case {
  name: string;
  text: string;
  ids: number[];
}

const cases: Case[] = [
  {
    name: 'plain sentence',
    text: 'A man is eating food.',
    ids: [101, 1037, 2158, 2003, 5983, 2833, 1012, 102],
  },
  {
    name: 'accents are stripped after lowercasing',
    text: 'Café naïve résumé: Ålborg, Zürich and São Paulo. ÉCOLE Façade',
    ids: [
      101, 7668, 15743, 13746, 1024, 2632, 11755, 1010, 10204, 1998, 7509, 9094, 1012, 12431, 8508,
      102,
    ],
  },
  {
    name: 'punctuation, ASCII symbols and typographic quotes',
    text: 'Hello, world! (It\'s $5.00 + 10% = "cheap"?) a|b <c> ^_^ ~x~ — “quoted” «fr» ¿qué?',
    ids: [
      101, 7592, 1010, 2088, 999, 1006, 2009, 1005, 1055, 1002, 1019, 1012, 4002, 1009, 2184, 1003,
      1027, 1000, 10036, 1000, 1029, 1007, 1037, 1064, 1038, 1026, 1039, 1028, 1034, 1035, 1034,
      1066, 1060, 1066, 1517, 1523, 9339, 1524, 1077, 10424, 1090, 1094, 10861, 1029, 102,
    ],
  },
  {
    name: 'unknown characters, emoji and made-up words',
    text: 'The ☃ and 🦄 emoji; xqzvbnmplk ⅷ ﷺ',
    ids: [
      101, 1996, 100, 1998, 100, 7861, 29147, 2072, 1025, 1060, 4160, 2480, 26493, 2078, 8737,
      13687, 100, 100, 102,
    ],
  },
  {
    name: 'long words: split into pieces up to 100 chars, [UNK] beyond',
    text: `pneumonoultramicroscopicsilicovolcanoconiosis ${'a'.repeat(100)} ${'b'.repeat(101)} end`,
    ids: [
      101,
      1052,
      2638,
      2819,
      17175,
      11314,
      6444,
      2594,
      7352,
      26461,
      27572,
      11261,
      6767,
      15472,
      6761,
      8663,
      10735,
      2483,
      13360,
      ...Array<number>(48).fill(11057),
      2050,
      100,
      2203,
      102,
    ],
  },
  {
    name: 'CJK ideographs become single words, kana and hangul do not',
    text: '東京は日本の首都です。Beijing北京 한국어 \u{20000}x',
    ids: [
      101, 1879, 1755, 1672, 1864, 1876, 1671, 100, 1961, 1665, 30184, 1636, 7211, 1781, 1755, 1469,
      30006, 30021, 29991, 30014, 30020, 29999, 30008, 100, 1060, 102,
    ],
  },
  {
    name: 'control characters removed, every whitespace separates',
    text: 'tab\there\u0000null\u200bzero\ufeffwidth\r\nnew\u00a0line\u3000wide\u0085nel\u0007bell \ufffd',
    ids: [
      101, 21628, 2182, 11231, 3363, 6290, 5004, 3593, 2705, 2047, 2240, 21255, 2884, 17327, 102,
    ],
  },
  {
    name: 'special tokens written in the text are matched verbatim',
    text: 'before [SEP] after [MASK] and [unk] [CLS]x',
    ids: [101, 2077, 102, 2044, 103, 1998, 1031, 4895, 2243, 1033, 101, 1060, 102],
  },
  { name: 'empty text', text: '', ids: [101, 102] },
];

describe('WordPieceTokenizer', () => {
  let tokenizer: WordPieceTokenizer;

  beforeAll(() => {
    if (!existsSync(tokenizerPath)) {
      throw new Error(`${tokenizerPath} is missing: run \`bash infra/install-model.sh\` first`);
    }
    tokenizer = WordPieceTokenizer.fromFile(tokenizerPath, { maxLength: 256 });
  });

  it.each(cases)('matches the reference ids: $name', ({ text, ids }) => {
    expect(Array.from(tokenizer.encode(text).ids)).toEqual(ids);
  });

  it('truncates to maxLength tokens, keeping [CLS] and [SEP]', () => {
    const sentence = 'The quick brown fox jumps over the lazy dog near the riverbank.';
    // Reference ids of one sentence; the reference's encoding of 30 of them is this, cut to 254 + 2.
    const sentenceIds = [
      1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 2379, 1996, 2314, 9299, 1012,
    ];
    const repeated = Array.from(
      { length: 254 },
      (_, index) => sentenceIds[index % sentenceIds.length],
    );

    const { ids } = tokenizer.encode(Array(30).fill(sentence).join(' '));

    expect(Array.from(ids)).toEqual([101, ...repeated, 102]);
  });

  it('truncates to a smaller configured maxLength', () => {
    const short = WordPieceTokenizer.fromFile(tokenizerPath, { maxLength: 5 });
    expect(Array.from(short.encode('A man is eating food.').ids)).toEqual([
      101, 1037, 2158, 2003, 102,
    ]);
  });

  it('exposes the special token ids', () => {
    expect(tokenizer.clsTokenId).toBe(101);
    expect(tokenizer.sepTokenId).toBe(102);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.unkTokenId).toBe(100);
    expect(tokenizer.vocabularySize).toBe(30522);
  });
});
