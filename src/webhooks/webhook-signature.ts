import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Cairn-Signature';
export const TIMESTAMP_HEADER = 'X-Cairn-Timestamp';
export const DELIVERY_HEADER = 'X-Cairn-Delivery';
export const EVENT_HEADER = 'X-Cairn-Event';

/** A new workspace signing secret: 32 random bytes, readable and easy to paste. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` (timestamp in Unix seconds): the
 * timestamp is signed with the body, so a receiver that refuses old timestamps stops replays.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `sha256=${digest}`;
}

/** What a receiver does: recompute, compare in constant time, refuse stale timestamps. */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
