// Credentials for tests and benchmarks: access tokens shaped and signed as Supabase Auth signs
// them (HS256 with the stack's shared secret, `aud: authenticated`, its issuer), users named by
// a stable id, and the workspaces the tests act in.
import { SignJWT } from 'jose';
import { uuidV5 } from '../../src/common/uuid';

const apiUrl = () => (process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');

export interface TestUser {
  id: string;
  email: string;
}

/** A user named by e-mail: the same e-mail always gives the same user id. */
export function userWithEmail(email: string): TestUser {
  return { id: uuidV5(`user:${email.toLowerCase()}`), email };
}

/** The same name always gives the same test user. */
export const testUser = (name: string): TestUser => userWithEmail(`${name}@cairn.test`);

export interface TokenOptions {
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  notBefore?: number;
}

/** An access token for the user, as Supabase Auth would issue it. */
export async function tokenFor(user: TestUser, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email: user.email, role: 'authenticated', aal: 'aal1' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(options.issuer ?? process.env.CAIRN_AUTH_ISSUER!)
    .setAudience(options.audience ?? process.env.CAIRN_AUTH_AUDIENCE ?? 'authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(new TextEncoder().encode(options.secret ?? process.env.CAIRN_AUTH_JWT_SECRET!));
}

/** Creates the workspace with the user as owner, or finds it already theirs. */
export async function ensureWorkspace(token: string, id: string, name = id): Promise<void> {
  const response = await fetch(`${apiUrl()}/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, name }),
  });
  if (response.status === 201) return;
  if (response.status === 409) {
    const mine = await fetch(`${apiUrl()}/workspaces`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await mine.json()) as { items: { workspaceId: string }[] };
    if (body.items.some((item) => item.workspaceId === id)) return;
  }
  throw new Error(`could not create workspace ${id}: ${response.status} ${await response.text()}`);
}

/** The workspace most tests act in, owned by the default test user. */
export const testWorkspace = (): string => process.env.CAIRN_TEST_WORKSPACE ?? 'e2e-default';
export const defaultTestUser = (): TestUser => testUser('default-owner');

let defaultCredentials: Promise<Record<string, string>> | undefined;

/** Headers for the default test user in the default test workspace (created on first use). */
export function defaultAuthHeaders(): Promise<Record<string, string>> {
  defaultCredentials ??= (async () => {
    const token = await tokenFor(defaultTestUser(), { expiresIn: 24 * 3600 });
    await ensureWorkspace(token, testWorkspace(), 'End-to-end tests');
    return { authorization: `Bearer ${token}`, 'x-workspace-id': testWorkspace() };
  })();
  return defaultCredentials;
}

/**
 * Makes a user a member: an admin's invitation of their address, then their acceptance (the
 * two steps POST /workspaces/:id/members and POST /invitations/:id/accept).
 */
export async function addMember(
  workspaceId: string,
  inviterToken: string,
  member: { user: TestUser; token: string },
  role: string,
): Promise<void> {
  const invited = await fetch(`${apiUrl()}/workspaces/${workspaceId}/members`, {
    method: 'POST',
    headers: { authorization: `Bearer ${inviterToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: member.user.email, role }),
  });
  if (invited.status !== 201) {
    throw new Error(
      `could not invite ${member.user.email}: ${invited.status} ${await invited.text()}`,
    );
  }
  const accepted = await fetch(`${apiUrl()}/invitations/${workspaceId}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${member.token}` },
  });
  if (accepted.status !== 200) {
    throw new Error(
      `${member.user.email} could not accept: ${accepted.status} ${await accepted.text()}`,
    );
  }
}
