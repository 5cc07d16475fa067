// Identifier rules shared by every store, so that an id can never escape its key prefix
// or smuggle syntax into a path, a tenant name or a Cypher label.

/** Same rule as CAIRN_DEFAULT_WORKSPACE in the configuration: also a valid Weaviate tenant name. */
export const WORKSPACE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * The workspace in which workers warmed up before their first task until December 2026: a
 * deployment may still hold what a warm-up killed half-way left there, so it stays nobody's.
 */
export const RESERVED_WORKSPACE_ID = 'cairn-warm-up';
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** Document ids are UUIDs today; allow any short slug made of safe characters. */
export const DOCUMENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class InvalidIdentifierError extends Error {
  constructor(
    readonly kind: string,
    readonly value: unknown,
  ) {
    super(`Invalid ${kind}: ${JSON.stringify(value)}`);
    this.name = 'InvalidIdentifierError';
  }
}

export function assertWorkspaceId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !WORKSPACE_ID_PATTERN.test(value)) {
    throw new InvalidIdentifierError('workspace id', value);
  }
}

export function isWorkspaceId(value: unknown): value is string {
  return typeof value === 'string' && WORKSPACE_ID_PATTERN.test(value);
}
