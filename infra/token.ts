/**
 * Prints an access token for the local stack, signed with its JWT secret and shaped as Supabase
 * Auth's (sub, email, aud, iss, exp), for people and scripts until Supabase Auth runs locally:
 *
 *   npm run token -- you@example.com [--hours 12]
 *
 * The user id is derived from the e-mail, so the same e-mail is always the same user. Refuses to
 * run when the API is configured for a JWKS (there is no local key to sign with then).
 */
import '../test/support/load-stack-env';
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const email = args.find((arg) => !arg.startsWith('--'));
  const hoursFlag = args.indexOf('--hours');
  const hours = hoursFlag >= 0 ? Number(args[hoursFlag + 1]) : 12;
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || !(hours > 0)) {
    console.error('usage: npm run token -- <email> [--hours N]');
    process.exit(2);
  }
  if (process.env.CAIRN_AUTH_JWKS_URL) {
    console.error('CAIRN_AUTH_JWKS_URL is set: tokens come from that identity provider, not here');
    process.exit(2);
  }
  const hex = createHash('sha256').update(`cairn-user:${email.toLowerCase()}`).digest('hex');
  const userId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email, role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(process.env.CAIRN_AUTH_ISSUER!)
    .setAudience(process.env.CAIRN_AUTH_AUDIENCE ?? 'authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + Math.round(hours * 3600))
    .sign(new TextEncoder().encode(process.env.CAIRN_AUTH_JWT_SECRET));
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `user ${userId} (${email}), valid ${hours} h. Next: POST /workspaces {"name": "…"} with\n` +
      `  Authorization: Bearer <token>, then send X-Workspace-Id: <its id> on other requests.\n`,
  );
}

void main();
