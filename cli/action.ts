import { Command } from 'commander';
import { CairnApiError } from '../client';
import { CliContext, REQUEST_TIMEOUT_MS, UsageError } from './context';

/** A command's body: gets the context of its invocation; a thrown error ends it (exit 1). */
export type Action<A extends unknown[]> = (context: CliContext, ...args: A) => Promise<void>;

/**
 * Wraps an action for commander: builds the context, and turns any error into one readable line
 * on stderr (the API's message and request id) and a non-zero exit code.
 */
export function action<A extends unknown[]>(body: Action<A>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const context = await CliContext.of(command);
    try {
      await body(context, ...(args.slice(0, -1) as A));
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (error instanceof TypeError && error.message === 'fetch failed') {
        throw new UsageError(
          `cannot reach the API at ${context.settings.apiUrl}: ${cause?.code ?? cause?.message ?? 'connection failed'}`,
        );
      }
      throw error;
    }
  };
}

export function describeError(error: unknown): string {
  if (error instanceof CairnApiError) {
    const id = error.requestId ? ` (request ${error.requestId})` : '';
    return `${error.message} [HTTP ${error.status}]${id}`;
  }
  if (error instanceof UsageError) return error.message;
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `the API did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return `cannot reach the API: ${cause?.code ?? cause?.message ?? 'connection failed'}`;
  }
  return error instanceof Error ? error.message : String(error);
}
