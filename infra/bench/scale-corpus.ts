import type { CorpusPassage } from './retrieval-dataset';

/**
 * The synthetic part of bench:scale's corpus. SYNTHETIC TEXT: every passage is made of sentences
 * of the real corpora (MuSiQue-100, wiki-6k) whose names, places and years are replaced by ones
 * drawn from pools built from those corpora, with a Zipf skew, so that a few entities recur in
 * thousands of passages and most in a handful, as in a real document collection. The same
 * arguments always give the same passages (a seeded generator, no clock, no Math.random).
 */

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..size-1 with probability proportional to 1 / (rank + 1)^exponent. */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(size: number, exponent: number) {
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank += 1) {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = total;
    }
  }

  draw(random: () => number): number {
    const target = random() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function shuffled<T>(values: T[], random: () => number): T[] {
  const result = [...values];
  for (let index = result.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other], result[index]];
  }
  return result;
}

const NAME_SPAN = /\b[A-Z][a-z]{2,}(?: [A-Z][a-z]{2,}){1,2}\b/g;
const PLACE_AFTER = /\b(?:in|at|from|near) ([A-Z][a-z]{2,}(?: [A-Z][a-z]{2,})?)\b/g;
const YEAR = /\b(1[5-9]\d\d|20[0-2]\d)\b/g;

/** Generates synthetic passages from real ones (see the module comment). */
export class SyntheticCorpus {
  private readonly sentences: string[];
  private readonly persons: string[];
  private readonly places: string[];
  private readonly placeSet: Set<string>;
  private readonly personRanks: ZipfSampler;
  private readonly placeRanks: ZipfSampler;

  /** `people` sets how many distinct synthetic people exist (rank 0 is the most named). */
  constructor(real: readonly CorpusPassage[], people: number, seed = 31) {
    const random = seededRandom(seed);
    const sentences = new Set<string>();
    const givenNames = new Set<string>();
    const surnames = new Set<string>();
    const places = new Set<string>();
    for (const { text } of real) {
      for (const sentence of text.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
        if (sentence.length >= 40 && sentence.length <= 280) sentences.add(sentence.trim());
      }
      for (const [span] of text.matchAll(NAME_SPAN)) {
        const words = span.split(' ');
        givenNames.add(words[0]);
        surnames.add(words[words.length - 1]);
      }
      for (const match of text.matchAll(PLACE_AFTER)) places.add(match[1]);
    }
    // Sorted before shuffling: the pools must not depend on the order of a Set's insertion alone.
    this.sentences = shuffled([...sentences].sort(), random);
    const given = shuffled([...givenNames].sort(), random);
    const family = shuffled([...surnames].sort(), random);
    const persons = new Set<string>();
    for (let index = 0; persons.size < people && index < people * 4; index += 1) {
      persons.add(
        `${given[Math.floor(random() * given.length)]} ${family[Math.floor(random() * family.length)]}`,
      );
    }
    this.persons = [...persons];
    this.places = shuffled([...places].sort(), random);
    this.placeSet = new Set(this.places);
    this.personRanks = new ZipfSampler(this.persons.length, 1.05);
    this.placeRanks = new ZipfSampler(this.places.length, 1.1);
  }

  /** The passage of this index: a function of the constructor's arguments and the index alone. */
  passage(index: number): CorpusPassage {
    const random = seededRandom(0x5ca1e000 + index);
    const person = () => this.persons[this.personRanks.draw(random)];
    const place = () => this.places[this.placeRanks.draw(random)];
    const subject = person();
    const count = 3 + Math.floor(random() * 3);
    const sentences: string[] = [];
    for (let number = 0; number < count; number += 1) {
      const sentence = this.sentences[Math.floor(random() * this.sentences.length)];
      let first = number === 0;
      const rewritten = sentence
        .replace(PLACE_AFTER, (whole) => `${whole.split(' ')[0]} ${place()}`)
        .replace(NAME_SPAN, (span) => {
          // A place put in just above stays; the first name of the passage is its subject.
          if (this.placeSet.has(span)) return span;
          if (first) {
            first = false;
            return subject;
          }
          return person();
        })
        .replace(YEAR, () => String(1600 + Math.floor(random() * 420)));
      sentences.push(rewritten);
    }
    return { title: `${subject} (synthetic ${index})`, text: sentences.join(' ') };
  }
}
