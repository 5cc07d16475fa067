import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/workflow';

/** The most readable message of a failure chain (activity and child failures wrap the cause). */
export function failureReason(error: unknown): string {
  let current: unknown = error;
  while (
    (current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) &&
    current.cause
  ) {
    current = current.cause;
  }
  if (current instanceof Error) return current.message;
  return String(current);
}
