import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DomainWorkflowState, ReviewInput, ReviewOutcome } from '../domains/domain.types';

// The domain workflow's messages, in their own file so the API can import them without the
// workflow's activity proxies.

/** Stage, draft summary, pending review and decision history of a domain's bootstrap. */
export const domainStateQuery = defineQuery<DomainWorkflowState>('state');

/** A reviewer's decision; the validator refuses it unless a review is pending and allowed. */
export const reviewUpdate = defineUpdate<ReviewOutcome, [ReviewInput]>('review');

/** Failure types the review validator uses; the API maps them to 409 and 403. */
export const REVIEW_NOT_PENDING = 'ReviewNotPending';
export const REVIEWER_NOT_ALLOWED = 'ReviewerNotAllowed';
