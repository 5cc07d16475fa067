export * from './types';
export {
  entityKey,
  acronymOf,
  isAcronymFor,
  looksLikeAcronym,
  wellKnownLongForm,
  findParentheticalAcronyms,
  WELL_KNOWN_ALIASES,
} from './normalize';
export type { AliasDeclaration } from './normalize';
export { EntityResolver, dedupeRelations } from './entity-resolver';
export type { EntityCandidate, KnownEntity } from './entity-resolver';
export { NlpKnowledgeExtractor } from './nlp-extractor';
export type { NlpExtractorOptions } from './nlp-extractor';
export { OpenAiCompatibleExtractor, LlmExtractionError } from './llm-extractor';
export type { OpenAiCompatibleExtractorOptions } from './llm-extractor';
