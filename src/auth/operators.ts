import { CairnError } from '../common/errors/cairn-error';
import type { Principal } from './principal';

/**
 * Operators are Supabase Auth users named in CAIRN_OPERATOR_USER_IDS, signed in with their own
 * token: API keys belong to workspaces and never reach what spans every workspace (alerts,
 * traces, the Temporal UI).
 */
export function isOperator(principal: Principal, operators: ReadonlySet<string>): boolean {
  return principal.via === 'token' && operators.has(principal.userId);
}

export function assertOperator(
  principal: Principal,
  operators: ReadonlySet<string>,
  what: string,
): void {
  if (!isOperator(principal, operators)) {
    throw new CairnError('forbidden', `only operators (CAIRN_OPERATOR_USER_IDS) may ${what}`);
  }
}
