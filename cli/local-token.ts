import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import { uuidV5 } from '../src/common/uuid';

/** The local stack's auth settings: the environment first, then the checkout's infra/env.sh. */
interface LocalAuth {
  secret?: string;
  issuer?: string;
  audience?: string;
  jwksUrl?: string;
}

const AUTH_KEYS = [
  'CAIRN_AUTH_JWT_SECRET',
  'CAIRN_AUTH_ISSUER',
  'CAIRN_AUTH_AUDIENCE',
  'CAIRN_AUTH_JWKS_URL',
] as const;

function localAuth(env: NodeJS.ProcessEnv): LocalAuth {
  let values: Partial<Record<(typeof AUTH_KEYS)[number], string>> = {};
  // dist/cli/local-token.js or cli/local-token.ts: the checkout is two or one level up.
  const envScript = [
    resolve(__dirname, '../../infra/env.sh'),
    resolve(__dirname, '../infra/env.sh'),
  ].find(existsSync);
  if (envScript && !env.CAIRN_AUTH_JWT_SECRET) {
    const output = execFileSync(
      'bash',
      [
        '-c',
        `source "$1" >/dev/null && printf '%s\\0' ${AUTH_KEYS.map((key) => `"$${key}"`).join(' ')}`,
        'env',
        envScript,
      ],
      { env, encoding: 'utf8' },
    );
    const parts = output.split('\0');
    values = Object.fromEntries(AUTH_KEYS.map((key, index) => [key, parts[index] ?? '']));
  }
  const pick = (key: (typeof AUTH_KEYS)[number]) => env[key] ?? values[key] ?? '';
  return {
    secret: pick('CAIRN_AUTH_JWT_SECRET') || undefined,
    issuer: pick('CAIRN_AUTH_ISSUER') || undefined,
    audience: pick('CAIRN_AUTH_AUDIENCE') || 'authenticated',
    jwksUrl: pick('CAIRN_AUTH_JWKS_URL') || undefined,
  };
}

export class LocalSigningRefused extends Error {}

/**
 * An access token for the e-mail, signed with the local stack's JWT secret and shaped as Supabase
 * Auth's, as `npm run token` signs it: the same e-mail is always the same user.
 */
export async function signLocalToken(
  email: string,
  hours = 12,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ token: string; userId: string }> {
  const auth = localAuth(env);
  if (auth.jwksUrl) {
    throw new LocalSigningRefused(
      `the API verifies tokens from an identity provider (CAIRN_AUTH_JWKS_URL=${auth.jwksUrl}); there is no local key to sign with: sign in there and run cairn login --token <access token>`,
    );
  }
  if (!auth.secret || !auth.issuer) {
    throw new LocalSigningRefused(
      'no local JWT secret (CAIRN_AUTH_JWT_SECRET and CAIRN_AUTH_ISSUER, or a Cairn checkout with infra/env.sh): --email works on the local stack only; use --token or --api-key',
    );
  }
  const userId = uuidV5(`user:${email.toLowerCase()}`);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email, role: 'authenticated', aal: 'aal1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience ?? 'authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + Math.round(hours * 3600))
    .sign(new TextEncoder().encode(auth.secret));
  return { token, userId };
}
