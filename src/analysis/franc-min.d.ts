// franc-min 5 (the last CommonJS release) ships no types.
declare module 'franc-min' {
  interface FrancOptions {
    minLength?: number;
    whitelist?: string[];
    blacklist?: string[];
  }
  /** ISO 639-3 code of the most likely language, or 'und'. */
  function franc(text: string, options?: FrancOptions): string;
  export = franc;
}
