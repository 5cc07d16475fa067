import { readFileSync } from 'node:fs';

/**
 * BERT (uncased) WordPiece tokenizer driven by a Hugging Face `tokenizer.json`.
 *
 * It reproduces what the `tokenizers` library does for a single sequence with this configuration:
 * added tokens matched verbatim → BertNormalizer → BertPreTokenizer → WordPiece → `[CLS] … [SEP]`,
 * truncated to `maxLength` tokens including the two special tokens.
 */

export interface WordPieceTokenizerOptions {
  /** Longest encoding produced, [CLS] and [SEP] included. */
  maxLength: number;
}

export interface Encoding {
  /** Token ids, starting with [CLS] and ending with [SEP]. */
  ids: Int32Array;
}

/** The parts of `tokenizer.json` this tokenizer reads (and checks). */
interface TokenizerJson {
  added_tokens?: { id: number; content: string }[];
  normalizer?: BertNormalizerJson | null;
  pre_tokenizer?: { type: string } | null;
  post_processor?: {
    type: string;
    special_tokens?: Record<string, { ids: number[] }>;
  } | null;
  model: {
    type: string;
    vocab: Record<string, number>;
    unk_token: string;
    continuing_subword_prefix?: string;
    max_input_chars_per_word?: number;
  };
}

interface BertNormalizerJson {
  type: string;
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  strip_accents?: boolean | null;
  lowercase?: boolean;
}

interface NormalizerSettings {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

const WHITESPACE = /\p{White_Space}/u;
const OTHER_CATEGORY = /\p{C}/u;
const NONSPACING_MARKS = /\p{Mn}/gu;
// ASCII symbols such as $ + < = > ^ ` | are Unicode symbols, not punctuation, yet BERT splits on them.
const PUNCTUATION = /[\p{P}!-/:-@[-`{-~]/u;
const SURROGATE = /[\uD800-\uDFFF]/;

export class WordPieceTokenizer {
  readonly vocabularySize: number;
  readonly clsTokenId: number;
  readonly sepTokenId: number;
  readonly unkTokenId: number;
  readonly padTokenId: number;
  readonly maxLength: number;

  private readonly vocabulary: Map<string, number>;
  private readonly continuingSubwordPrefix: string;
  private readonly maxInputCharsPerWord: number;
  private readonly normalizer: NormalizerSettings;
  /** Matches added tokens ([CLS], [MASK], …) written in the input; null when there are none. */
  private readonly addedTokenPattern: RegExp | null;
  private readonly addedTokenIds: Map<string, number>;

  static fromFile(
    tokenizerJsonPath: string,
    options: WordPieceTokenizerOptions,
  ): WordPieceTokenizer {
    const json = JSON.parse(readFileSync(tokenizerJsonPath, 'utf8')) as TokenizerJson;
    return new WordPieceTokenizer(json, options);
  }

  constructor(json: TokenizerJson, options: WordPieceTokenizerOptions) {
    const { model } = json;
    if (model.type !== 'WordPiece') {
      throw new Error(`tokenizer.json: expected a WordPiece model, found ${model.type}`);
    }
    if (json.normalizer && json.normalizer.type !== 'BertNormalizer') {
      throw new Error(`tokenizer.json: unsupported normalizer ${json.normalizer.type}`);
    }
    if (json.pre_tokenizer && json.pre_tokenizer.type !== 'BertPreTokenizer') {
      throw new Error(`tokenizer.json: unsupported pre-tokenizer ${json.pre_tokenizer.type}`);
    }
    if (!Number.isInteger(options.maxLength) || options.maxLength < 2) {
      throw new Error(`maxLength must be an integer ≥ 2, got ${options.maxLength}`);
    }

    this.vocabulary = new Map(Object.entries(model.vocab));
    this.vocabularySize = this.vocabulary.size;
    this.continuingSubwordPrefix = model.continuing_subword_prefix ?? '##';
    this.maxInputCharsPerWord = model.max_input_chars_per_word ?? 100;
    this.maxLength = options.maxLength;

    const normalizer: Partial<BertNormalizerJson> = json.normalizer ?? {};
    const lowercase = normalizer.lowercase ?? true;
    this.normalizer = {
      cleanText: normalizer.clean_text ?? true,
      handleChineseChars: normalizer.handle_chinese_chars ?? true,
      // BERT's rule: accents are stripped whenever lowercasing, unless configured explicitly.
      stripAccents: normalizer.strip_accents ?? lowercase,
      lowercase,
    };

    this.unkTokenId = this.requireId(model.unk_token);
    const specialTokens = json.post_processor?.special_tokens ?? {};
    this.clsTokenId = specialTokens['[CLS]']?.ids[0] ?? this.requireId('[CLS]');
    this.sepTokenId = specialTokens['[SEP]']?.ids[0] ?? this.requireId('[SEP]');
    this.padTokenId = this.vocabulary.get('[PAD]') ?? 0;

    this.addedTokenIds = new Map(
      (json.added_tokens ?? []).map((token) => [token.content, token.id]),
    );
    const addedContents = [...this.addedTokenIds.keys()].sort((a, b) => b.length - a.length);
    this.addedTokenPattern =
      addedContents.length > 0
        ? new RegExp(addedContents.map((content) => escapeRegExp(content)).join('|'), 'g')
        : null;
  }

  /** Encodes one text as `[CLS] tokens… [SEP]`, cut to `maxLength` tokens. */
  encode(text: string): Encoding {
    const budget = this.maxLength - 2;
    const contentIds: number[] = [];
    for (const segment of this.splitOnAddedTokens(text)) {
      if (contentIds.length >= budget) break;
      if (typeof segment === 'number') {
        contentIds.push(segment);
        continue;
      }
      for (const word of this.preTokenize(this.normalize(segment))) {
        this.appendWordPieces(word, contentIds);
        if (contentIds.length >= budget) break;
      }
    }
    const length = Math.min(contentIds.length, budget);
    const ids = new Int32Array(length + 2);
    ids[0] = this.clsTokenId;
    for (let index = 0; index < length; index++) ids[index + 1] = contentIds[index];
    ids[length + 1] = this.sepTokenId;
    return { ids };
  }

  /** BertNormalizer: clean control characters, isolate CJK ideographs, strip accents, lowercase. */
  normalize(text: string): string {
    const { cleanText, handleChineseChars, stripAccents, lowercase } = this.normalizer;
    let normalized = text;
    if (cleanText || handleChineseChars) {
      let output = '';
      for (const char of text) {
        const codePoint = char.codePointAt(0)!;
        if (cleanText) {
          if (codePoint === 0 || codePoint === 0xfffd || isControl(char)) continue;
          if (WHITESPACE.test(char)) {
            output += ' ';
            continue;
          }
        }
        output += handleChineseChars && isCjkIdeograph(codePoint) ? ` ${char} ` : char;
      }
      normalized = output;
    }
    if (stripAccents) normalized = normalized.normalize('NFD').replace(NONSPACING_MARKS, '');
    if (lowercase) normalized = normalized.toLowerCase();
    return normalized;
  }

  /** BertPreTokenizer: split on whitespace (dropped) and on punctuation (kept as one-char words). */
  preTokenize(text: string): string[] {
    const words: string[] = [];
    let current = '';
    for (const char of text) {
      if (WHITESPACE.test(char)) {
        if (current) words.push(current);
        current = '';
      } else if (PUNCTUATION.test(char)) {
        if (current) words.push(current);
        words.push(char);
        current = '';
      } else {
        current += char;
      }
    }
    if (current) words.push(current);
    return words;
  }

  /** Greedy longest-match-first WordPiece; a word with any unmatched piece becomes one [UNK]. */
  private appendWordPieces(word: string, output: number[]): void {
    const wholeWordId = this.vocabulary.get(word);
    if (wholeWordId !== undefined) {
      output.push(wholeWordId);
      return;
    }
    // Pieces are cut on characters (code points); only astral characters need more than a string.
    const chars = SURROGATE.test(word) ? Array.from(word) : word;
    if (chars.length > this.maxInputCharsPerWord) {
      output.push(this.unkTokenId);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let pieceId: number | undefined;
      while (start < end) {
        const text =
          typeof chars === 'string' ? chars.slice(start, end) : chars.slice(start, end).join('');
        pieceId = this.vocabulary.get(start > 0 ? this.continuingSubwordPrefix + text : text);
        if (pieceId !== undefined) break;
        end--;
      }
      if (pieceId === undefined) {
        output.push(this.unkTokenId);
        return;
      }
      pieces.push(pieceId);
      start = end;
    }
    for (const pieceId of pieces) output.push(pieceId);
  }

  /** Added tokens are matched in the raw text before normalisation, as the reference does. */
  private splitOnAddedTokens(text: string): (string | number)[] {
    if (!this.addedTokenPattern || !text.includes('[')) return [text];
    const segments: (string | number)[] = [];
    let last = 0;
    for (const match of text.matchAll(this.addedTokenPattern)) {
      const index = match.index;
      if (index > last) segments.push(text.slice(last, index));
      segments.push(this.addedTokenIds.get(match[0])!);
      last = index + match[0].length;
    }
    if (last < text.length) segments.push(text.slice(last));
    return segments;
  }

  private requireId(token: string): number {
    const id = this.vocabulary.get(token);
    if (id === undefined) throw new Error(`tokenizer.json: ${token} is not in the vocabulary`);
    return id;
  }
}

/** Unicode "Other" (Cc, Cf, Cs, Co, Cn) except tab and line breaks, which count as whitespace. */
function isControl(char: string): boolean {
  if (char === '\t' || char === '\n' || char === '\r') return false;
  return OTHER_CATEGORY.test(char);
}

/** The CJK Unified Ideograph blocks BERT isolates as single-character words. */
function isCjkIdeograph(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b820 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
