import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The cookie that carries an operator's session for the operators' UIs behind Caddy: the Temporal
 * UI and Jaeger. Set once per UI path, so a browser sends it there and nowhere else.
 */
export const OPERATOR_COOKIE = 'cairn_operator';
export const OPERATOR_COOKIE_PATHS = ['/temporal', '/jaeger'] as const;
export const OPERATOR_SESSION_SECONDS = 30 * 60;

/**
 * `<payload>.<signature>`: the payload is base64url JSON {sub, exp}, the signature its
 * HMAC-SHA256 under CAIRN_OPERATOR_SESSION_SECRET. Nothing in it is secret; it cannot be forged
 * or extended without the key, and it lapses after OPERATOR_SESSION_SECONDS.
 */
export function signOperatorSession(
  userId: string,
  secret: string,
  now = Date.now(),
): { value: string; expiresAt: Date } {
  const exp = Math.floor(now / 1000) + OPERATOR_SESSION_SECONDS;
  const payload = Buffer.from(JSON.stringify({ sub: userId, exp })).toString('base64url');
  return { value: `${payload}.${signature(payload, secret)}`, expiresAt: new Date(exp * 1000) };
}

/** The user id of a valid, unexpired session value, or null. */
export function verifyOperatorSession(
  value: string,
  secret: string,
  now = Date.now(),
): string | null {
  const match = /^([A-Za-z0-9_-]{1,512})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match || !secret) return null;
  const expected = Buffer.from(signature(match[1], secret), 'base64url');
  const given = Buffer.from(match[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const { sub, exp } = (claims ?? {}) as { sub?: unknown; exp?: unknown };
  if (typeof sub !== 'string' || typeof exp !== 'number') return null;
  return exp * 1000 > now ? sub : null;
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) {
      return part.slice(separator + 1).trim();
    }
  }
  return undefined;
}

function signature(payload: string, secret: string): string {
  return createHmac('sha256', secret)
    .update(`cairn-operator-session:${payload}`)
    .digest('base64url');
}
