/**
 * Prints an access token for the local stack, signed with its JWT secret and shaped as Supabase
 * Auth's (sub, email, aud, iss, exp), for people and scripts until Supabase Auth runs locally:
 *
 *   npm run token -- you@example.com [--hours 12]
 *   npm run token -- --link you@example.com [--base http://127.0.0.1:3000]
 *
 * --link prints a sign-in link for the web console instead: the token in the URL fragment, in
 * Supabase Auth's redirect format (#access_token=…&token_type=bearer&expires_in=…), which the
 * console reads and removes from the address bar. The user id is derived from the e-mail, so
 * the same e-mail is always the same user. Refuses to run when the API is configured for a JWKS
 * (there is no local key to sign with then).
 */
import '../test/support/load-stack-env';
import { tokenFor, userWithEmail } from '../test/support/auth';

/** The console's sign-in link: Supabase Auth's redirect fragment on the console's address. */
export function signInLink(base: string, token: string, expiresInSeconds: number): string {
  const fragment = new URLSearchParams({
    access_token: token,
    token_type: 'bearer',
    expires_in: String(expiresInSeconds),
  });
  return `${base.replace(/\/+$/, '')}/#${fragment.toString()}`;
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const values = new Set([option(args, '--hours'), option(args, '--base')]);
  const email = args.find((arg) => !arg.startsWith('--') && !values.has(arg));
  const hours = Number(option(args, '--hours') ?? 12);
  const link = args.includes('--link');
  const base =
    option(args, '--base') ??
    process.env.CAIRN_API_URL ??
    `http://${process.env.CAIRN_API_HOST ?? '127.0.0.1'}:${process.env.CAIRN_API_PORT ?? 3000}`;
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || !(hours > 0) || !/^https?:\/\//.test(base)) {
    console.error('usage: npm run token -- [--link [--base URL]] <email> [--hours N]');
    process.exit(2);
  }
  if (process.env.CAIRN_AUTH_JWKS_URL) {
    console.error('CAIRN_AUTH_JWKS_URL is set: tokens come from that identity provider, not here');
    process.exit(2);
  }
  const user = userWithEmail(email);
  const expiresIn = Math.round(hours * 3600);
  const token = await tokenFor(user, { expiresIn });
  if (link) {
    process.stdout.write(`${signInLink(base, token, expiresIn)}\n`);
    process.stderr.write(
      `user ${user.id} (${email}), valid ${hours} h: open the link to sign in\n`,
    );
    return;
  }
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `user ${user.id} (${email}), valid ${hours} h. Next: POST /workspaces {"name": "…"} with\n` +
      `  Authorization: Bearer <token>, then send X-Workspace-Id: <its id> on other requests.\n`,
  );
}

if (require.main === module) void main();
