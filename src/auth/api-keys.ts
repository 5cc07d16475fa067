import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

// ck_<key id without dashes>_<secret>: the id finds the row, the secret is compared by hash.
const API_KEY_PATTERN = /^ck_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface IssuedApiKey {
  id: string;
  /** Shown once, never stored. */
  key: string;
  secretHash: string;
}

export function issueApiKey(): IssuedApiKey {
  const id = randomUUID();
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `ck_${id.replace(/-/g, '')}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return null;
  const hex = match[1];
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2] };
}

export function looksLikeApiKey(credential: string): boolean {
  return credential.startsWith('ck_');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
