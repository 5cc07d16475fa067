import {
  ApplicationFailure,
  condition,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type {
  DomainMode,
  DomainStage,
  DomainStatus,
  DomainWorkflowState,
  OverviewSummary,
  ReviewInput,
  ReviewOutcome,
  ReviewRecord,
} from '../src/domains/domain.types';
import { domainBookkeeping, domainContent, domainResearch } from './domain-activities';
import { processMembers } from './domain-content';
import {
  domainStateQuery,
  REVIEW_NOT_PENDING,
  REVIEWER_NOT_ALLOWED,
  reviewUpdate,
} from '../src/pipeline/domain-messages';
import { failureReason } from './failure-reason';
import { StageAttribute } from '../src/pipeline/search-attributes';

export interface DomainBootstrapInput {
  workspaceId: string;
  domainId: string;
  mode: DomainMode;
  seedDocumentIds: string[];
  seedTopics: string[];
  /** User ids allowed to review; empty means any editor, admin or owner of the workspace. */
  reviewers: string[];
  /** After this long without a decision a reminder is emitted (ms). */
  reviewReminderMs: number;
  /** After this long without a decision the domain expires (ms, counted per draft). */
  reviewTimeoutMs: number;
}

export interface DomainBootstrapResult {
  status: Extract<DomainStatus, 'active' | 'rejected' | 'expired'>;
  revision: number;
  decisions: ReviewRecord[];
}

// Roles that may review, as in src/domains/domain.types REVIEWER_ROLES (a value import from src/
// is not allowed in workflow code).
const REVIEWER_ROLES = new Set(['editor', 'admin', 'owner']);

/**
 * Bootstraps one knowledge domain: research → knowledge-base → content (child document
 * workflows, then a drafted overview) → review (a Temporal Update; reminder; expiry) →
 * activation. Every store write is an idempotent activity; the overview travels as a MinIO key.
 */
export async function domainBootstrapWorkflow(
  input: DomainBootstrapInput,
): Promise<DomainBootstrapResult> {
  const { workspaceId, domainId } = input;
  const ref = { workspaceId, domainId };
  const state: DomainWorkflowState = {
    stage: 'research',
    status: 'bootstrapping',
    mode: input.mode,
    revision: 0,
    draft: null,
    pendingReview: null,
    decisions: [],
    research: { seeds: input.seedDocumentIds.length, fromTopics: 0, processed: 0, failed: [] },
  };
  // The decision taken for the draft under review; set by the update handler, consumed below.
  let decision: ReviewRecord | undefined;

  setHandler(domainStateQuery, () => state);
  setHandler(
    reviewUpdate,
    (review: ReviewInput): ReviewOutcome => {
      // Runs synchronously right after its validator, so a second decision's validator already
      // sees this one: concurrent or repeated decisions make exactly one transition.
      decision = {
        revision: state.revision,
        decision: review.decision,
        comment: review.comment,
        reviewer: review.reviewer.userId,
        decidedAt: new Date(Date.now()).toISOString(),
      };
      state.pendingReview = null;
      const next =
        review.decision === 'approve'
          ? 'activation'
          : review.decision === 'reject'
            ? 'rejected'
            : 'redraft';
      return { accepted: true, decision: review.decision, revision: state.revision, next };
    },
    {
      validator: (review: ReviewInput) => {
        if (state.pendingReview === null || decision !== undefined) {
          throw ApplicationFailure.nonRetryable(
            `Domain ${domainId} is not waiting for a review (status ${state.status}, stage ${state.stage}).`,
            REVIEW_NOT_PENDING,
          );
        }
        if (!review.reviewer.role || !REVIEWER_ROLES.has(review.reviewer.role)) {
          throw ApplicationFailure.nonRetryable(
            'Reviewing a domain needs the editor role or higher.',
            REVIEWER_NOT_ALLOWED,
          );
        }
        if (input.reviewers.length > 0 && !input.reviewers.includes(review.reviewer.userId)) {
          throw ApplicationFailure.nonRetryable(
            `Only the domain's reviewers may decide: ${input.reviewers.join(', ')}.`,
            REVIEWER_NOT_ALLOWED,
          );
        }
      },
    },
  );

  const enter = async (stage: DomainStage, status: DomainStatus = state.status) => {
    state.stage = stage;
    state.status = status;
    // A finished domain shows its outcome (active, rejected, expired) as its Stage in the UI.
    upsertSearchAttributes([{ key: StageAttribute, value: stage === 'done' ? status : stage }]);
    await domainBookkeeping.setDomainStatus({ ...ref, status, stage });
  };
  const draft = async (comments: string[]): Promise<OverviewSummary> => {
    const summary = await domainContent.draftDomainOverview({
      ...ref,
      revision: state.revision + 1,
      comments,
    });
    state.revision = summary.revision;
    state.draft = summary;
    return summary;
  };

  // The steps below run in this order; each is named after the stage it enters.
  try {
    await research();
    await buildKnowledgeBase();
    await processContent();
    if (input.mode === 'review') {
      const ended = await reviewUntilApproved();
      if (ended) return ended;
    }
    return await activate();
  } catch (error) {
    // Archiving cancels the workflow; the API has already taken the domain apart.
    if (isCancellation(error)) throw error;
    const reason = failureReason(error);
    upsertSearchAttributes([{ key: StageAttribute, value: 'failed' }]);
    await domainBookkeeping.setDomainStatus({ ...ref, status: 'failed', error: reason });
    throw ApplicationFailure.nonRetryable(reason, 'DomainBootstrapFailed');
  }

  /** research: the seeds are members already (the API stored them); topics add more. */
  async function research(): Promise<void> {
    await enter('research');
    if (input.seedTopics.length > 0) {
      const found = await domainResearch.researchDomainTopics({ ...ref, topics: input.seedTopics });
      state.research.fromTopics = found.added.length;
    }
  }

  /** knowledge-base: Neo4j node and links, MinIO manifest; search scope is the membership. */
  async function buildKnowledgeBase(): Promise<void> {
    await enter('knowledge-base');
    await domainContent.createDomainKnowledgeBase(ref);
  }

  /** content: process what is not processed yet, link it, then draft the overview. */
  async function processContent(): Promise<void> {
    await enter('content');
    const members = await domainBookkeeping.memberDocumentIds(ref);
    const processed = await processMembers(workspaceId, domainId, members);
    state.research.processed = processed.indexed.length;
    state.research.failed = processed.failed;
    await domainContent.createDomainKnowledgeBase(ref);
    await draft([]);
  }

  /**
   * review: waits for decisions until one approves (undefined), redrafting on request_changes;
   * a rejection or an expired review ends the workflow with its result.
   */
  async function reviewUntilApproved(): Promise<DomainBootstrapResult | undefined> {
    for (;;) {
      const decided = await awaitDecision();
      if (decided === undefined) {
        await enter('done', 'expired');
        await domainBookkeeping.notifyDomain({ ...ref, event: 'domain.expired' });
        return { status: 'expired', revision: state.revision, decisions: state.decisions };
      }
      decision = undefined;
      state.decisions.push(decided);
      await domainBookkeeping.recordReview({ ...ref, review: decided });
      await domainBookkeeping.notifyDomain({
        ...ref,
        event: 'domain.reviewed',
        detail: { decision: decided.decision, revision: decided.revision },
      });
      if (decided.decision === 'approve') return undefined;
      if (decided.decision === 'reject') {
        await enter('done', 'rejected');
        return { status: 'rejected', revision: state.revision, decisions: state.decisions };
      }
      // request_changes: draft again (the graph may have grown) and wait for a new decision.
      await enter('content', 'bootstrapping');
      await domainContent.createDomainKnowledgeBase(ref);
      await draft(
        state.decisions
          .filter((d) => d.decision === 'request_changes' && d.comment)
          .map((d) => d.comment),
      );
    }
  }

  /** activation, then done: the domain is live. */
  async function activate(): Promise<DomainBootstrapResult> {
    await enter('activation');
    await enter('done', 'active');
    await domainBookkeeping.notifyDomain({ ...ref, event: 'domain.activated' });
    return { status: 'active', revision: state.revision, decisions: state.decisions };
  }

  /** Waits for a decision on the current draft: reminder first, then expiry. */
  async function awaitDecision(): Promise<ReviewRecord | undefined> {
    const since = Date.now();
    const remindAfter = Math.min(input.reviewReminderMs, input.reviewTimeoutMs);
    state.pendingReview = {
      since: new Date(since).toISOString(),
      revision: state.revision,
      reviewers: input.reviewers,
      remindAt: new Date(since + remindAfter).toISOString(),
      expiresAt: new Date(since + input.reviewTimeoutMs).toISOString(),
      reminded: false,
    };
    // Decisions are accepted from here on; Postgres says so once the activity has run.
    await enter('review', 'awaiting_review');
    if (remindAfter < input.reviewTimeoutMs) {
      if (!(await condition(() => decision !== undefined, remindAfter))) {
        state.pendingReview.reminded = true;
        await domainBookkeeping.notifyDomain({
          ...ref,
          event: 'domain.review_reminder',
          detail: { revision: state.revision, expiresAt: state.pendingReview.expiresAt },
        });
      }
    }
    const left = since + input.reviewTimeoutMs - Date.now();
    if (decision === undefined && left > 0) await condition(() => decision !== undefined, left);
    // Synchronously, so no decision can slip in between "expired" and closing the review.
    const decided = decision;
    if (decided === undefined) state.pendingReview = null;
    return decided;
  }
}
