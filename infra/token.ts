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
import { tokenFor, userWithEmail } from '../test/support/auth';

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
  const user = userWithEmail(email);
  const token = await tokenFor(user, { expiresIn: Math.round(hours * 3600) });
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `user ${user.id} (${email}), valid ${hours} h. Next: POST /workspaces {"name": "…"} with\n` +
      `  Authorization: Bearer <token>, then send X-Workspace-Id: <its id> on other requests.\n`,
  );
}

void main();
