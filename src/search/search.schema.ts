import { z } from 'zod';
import { ENTITY_TYPES } from '../extraction/types';

export const SEARCH_MODES = ['vector', 'keyword', 'hybrid', 'graph', 'auto'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export const MAX_QUERY_LENGTH = 2_000;
export const MAX_LIMIT = 100;
export const MAX_HOPS = 3;
/**
 * One step from the query's entities (a relation, or a passage naming both) already reaches the
 * passages of a two-hop question. On MuSiQue-100, auto scored R@2/R@5 52.8/69.2 at 1 hop and
 * 54.2/70.0 at 2, for a walk about ten times as long (0.7 vs 7.5 ms p50): 2 and 3 stay available.
 */
export const DEFAULT_HOPS = 1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const wholeNumber = (name: string, min: number, max: number) =>
  z
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be between ${min} and ${max}`)
    .max(max, `${name} must be between ${min} and ${max}`);

/**
 * The body of POST /search. Unknown keys are refused (a misspelt "mdoe" would otherwise be
 * silently ignored); the query is only ever used as text, never spliced into a query language.
 */
export const searchRequestSchema = z
  .object({
    query: z
      .string({ required_error: 'query is required', invalid_type_error: 'query must be a string' })
      .max(MAX_QUERY_LENGTH, `query must be at most ${MAX_QUERY_LENGTH} characters`)
      .refine((query) => query.trim() !== '', 'query must not be empty or whitespace'),
    limit: wholeNumber('limit', 1, MAX_LIMIT).default(10),
    mode: z
      .enum(SEARCH_MODES, {
        errorMap: () => ({ message: `mode must be one of ${SEARCH_MODES.join(', ')}` }),
      })
      .default('auto'),
    hops: wholeNumber('hops', 0, MAX_HOPS).default(DEFAULT_HOPS),
    domainId: z
      .string({ invalid_type_error: 'domainId must be a string' })
      .min(1, 'domainId must not be empty')
      .max(200, 'domainId must be at most 200 characters')
      .optional(),
    /** With domainId: search a domain that is not active (yet), e.g. while reviewing its draft. */
    includeInactive: z
      .boolean({ invalid_type_error: 'includeInactive must be true or false' })
      .default(false),
    filters: z
      .object({
        documentIds: z
          .array(z.string().regex(UUID, 'must be a document id (UUID)'))
          .max(1_000, 'at most 1000 document ids')
          .optional(),
        types: z
          .array(
            z.enum(ENTITY_TYPES as [string, ...string[]], {
              errorMap: () => ({ message: `must be one of ${ENTITY_TYPES.join(', ')}` }),
            }),
          )
          .max(ENTITY_TYPES.length)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SearchRequest = z.infer<typeof searchRequestSchema>;
