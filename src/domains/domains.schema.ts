import { z } from 'zod';
import { DOMAIN_MODES, DOMAIN_STATUSES, REVIEW_DECISIONS } from './domain.types';
import { displayText } from '../common/display-text';
import { pagingQueryShape } from '../common/http/paging';

export const MAX_DOMAIN_NAME_LENGTH = 120;
export const MAX_DOMAIN_DESCRIPTION_LENGTH = 2_000;
const MAX_SEEDS = 200;
const MAX_TOPICS = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const documentIds = (name: string) =>
  z
    .array(z.string().regex(UUID, 'must be a document id (UUID)'), {
      invalid_type_error: `${name} must be an array of document ids`,
    })
    .max(MAX_SEEDS, `at most ${MAX_SEEDS} ${name}`);

/** Seconds, for per-domain review timing (overrides CAIRN_DOMAIN_REVIEW_REMINDER/TIMEOUT). */
const seconds = (name: string) =>
  z
    .number({ invalid_type_error: `${name} must be a number of seconds` })
    .int(`${name} must be a whole number of seconds`)
    .min(1, `${name} must be at least 1`)
    .max(365 * 86_400, `${name} must be at most a year`);

/** Body of POST /domains. Unknown keys are refused, so a misspelt option is not silently lost. */
export const createDomainSchema = z
  .object({
    name: displayText('name', MAX_DOMAIN_NAME_LENGTH),
    description: displayText('description', MAX_DOMAIN_DESCRIPTION_LENGTH, {
      multiline: true,
      allowEmpty: true,
    }).default(''),
    seedDocumentIds: documentIds('seedDocumentIds').default([]),
    seedTopics: z
      .array(displayText('a seed topic', 200))
      .max(MAX_TOPICS, `at most ${MAX_TOPICS} seed topics`)
      .default([]),
    mode: z
      .enum(DOMAIN_MODES, {
        errorMap: () => ({ message: `mode must be one of ${DOMAIN_MODES.join(', ')}` }),
      })
      .default('review'),
    // User ids of the workspace's members (checked against the members by the service).
    reviewers: z
      .array(
        z
          .string({ invalid_type_error: 'each reviewer must be a user id' })
          .regex(UUID, 'each reviewer must be a user id (UUID) of a member of the workspace')
          .transform((id) => id.toLowerCase()),
      )
      .max(50, 'at most 50 reviewers')
      .transform((ids) => [...new Set(ids)])
      .default([]),
    review: z
      .object({
        reminderSeconds: seconds('review.reminderSeconds').optional(),
        timeoutSeconds: seconds('review.timeoutSeconds').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type CreateDomainInput = z.infer<typeof createDomainSchema>;

export const reviewDomainSchema = z
  .object({
    decision: z.enum(REVIEW_DECISIONS, {
      errorMap: () => ({ message: `decision must be one of ${REVIEW_DECISIONS.join(', ')}` }),
    }),
    comment: z
      .string({ invalid_type_error: 'comment must be a string' })
      .max(4_000, 'comment must be at most 4000 characters')
      .default(''),
  })
  .strict()
  .superRefine((review, context) => {
    if (review.decision !== 'approve' && review.comment.trim() === '') {
      context.addIssue({
        code: 'custom',
        path: ['comment'],
        message: `a ${review.decision} decision needs a comment (the reason or the changes wanted)`,
      });
    }
  });
export type ReviewDomainInput = z.infer<typeof reviewDomainSchema>;

export const addDomainDocumentsSchema = z
  .object({
    documentIds: documentIds('documentIds').min(1, 'documentIds must name at least one document'),
    reason: displayText('reason', 500, { allowEmpty: true }).optional(),
  })
  .strict();
export type AddDomainDocumentsInput = z.infer<typeof addDomainDocumentsSchema>;

export const listDomainsQuerySchema = z.object({
  status: z.enum(DOMAIN_STATUSES).optional(),
  ...pagingQueryShape,
});
export type ListDomainsQuery = z.infer<typeof listDomainsQuerySchema>;

export const domainIdParamSchema = z.string().regex(UUID, 'domain id must be a UUID');
