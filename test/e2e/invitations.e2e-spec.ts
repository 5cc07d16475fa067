// Invitations: an admin invites an address; the person behind it sees and joins the workspace
// only by accepting, and the admin learns nothing about whether the address has an account.
import { callApi } from '../support/api';
import { ensureWorkspace, testUser, type TestUser, tokenFor } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(60_000);

type Headers = Record<string, string>;
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const run = uniqueToken();

interface Invitation {
  workspaceId: string;
  workspaceName?: string;
  email: string;
  role: string;
  status: string;
}

describe('invitations are pending until the invitee accepts', () => {
  const workspaceId = `invite-${run}`;
  let owner: { user: TestUser; token: string };
  const asOwner = (): Headers => ({ ...bearer(owner.token), 'x-workspace-id': workspaceId });

  async function signedIn(name: string): Promise<{ user: TestUser; token: string }> {
    const user = testUser(`${name}-${run}`);
    const token = await tokenFor(user);
    expect((await callApi('GET', '/workspaces', { headers: bearer(token) })).status).toBe(200);
    return { user, token };
  }

  const invite = (email: string, role = 'editor') =>
    callApi<Invitation>('POST', `/workspaces/${workspaceId}/members`, {
      json: { email, role },
      headers: asOwner(),
    });

  beforeAll(async () => {
    owner = await signedIn('invite-owner');
    await ensureWorkspace(owner.token, workspaceId, `Invitations ${run}`);
  });

  it('answers the same whether or not the address has an account', async () => {
    const known = await signedIn('invite-known');
    const withAccount = await invite(known.user.email);
    const withoutAccount = await invite(`invite-nobody-${run}@cairn.test`);
    expect([withAccount.status, withoutAccount.status]).toEqual([201, 201]);
    const shape = (body: Invitation) => ({ ...body, email: '<email>' });
    expect(shape(withAccount.body)).toEqual(shape(withoutAccount.body));
    expect(withAccount.body).toEqual({
      workspaceId,
      email: known.user.email.toLowerCase(),
      role: 'editor',
      status: 'pending',
    });
    expect(JSON.stringify(withAccount.body)).not.toContain(known.user.id);
  });

  it('shows the invitee nothing of the workspace until they accept, then their role', async () => {
    const invitee = await signedIn('invite-accepts');
    expect((await invite(invitee.user.email, 'viewer')).status).toBe(201);

    const before = await callApi<{ items: { workspaceId: string }[] }>('GET', '/workspaces', {
      headers: bearer(invitee.token),
    });
    expect(before.body.items.map((item) => item.workspaceId)).not.toContain(workspaceId);
    const peek = await callApi('GET', '/documents', {
      headers: { ...bearer(invitee.token), 'x-workspace-id': workspaceId },
    });
    expect(peek.status).toBe(404);
    const pending = await callApi<{ items: Invitation[] }>('GET', '/invitations', {
      headers: bearer(invitee.token),
    });
    expect(pending.body.items).toContainEqual(
      expect.objectContaining({
        workspaceId,
        workspaceName: `Invitations ${run}`,
        role: 'viewer',
        status: 'pending',
      }),
    );
    const listedForAdmin = await callApi<{ items: Invitation[] }>(
      'GET',
      `/workspaces/${workspaceId}/invitations`,
      { headers: asOwner() },
    );
    expect(listedForAdmin.body.items.map((item) => item.email)).toContain(
      invitee.user.email.toLowerCase(),
    );

    const accepted = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: bearer(invitee.token),
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ workspaceId, name: `Invitations ${run}`, role: 'viewer' });
    const after = await callApi<{ items: { workspaceId: string; role: string }[] }>(
      'GET',
      '/workspaces',
      { headers: bearer(invitee.token) },
    );
    expect(after.body.items).toContainEqual(
      expect.objectContaining({ workspaceId, role: 'viewer' }),
    );
    const read = await callApi('GET', '/documents', {
      headers: { ...bearer(invitee.token), 'x-workspace-id': workspaceId },
    });
    expect(read.status).toBe(200);
    // Used up: nothing left to accept, and the address is a member now.
    const twice = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: bearer(invitee.token),
    });
    expect(twice.status).toBe(404);
    expect((await invite(invitee.user.email)).status).toBe(409);
  });

  it('a declined or withdrawn invitation leaves no membership', async () => {
    const decliner = await signedIn('invite-declines');
    expect((await invite(decliner.user.email)).status).toBe(201);
    const declined = await callApi('POST', `/invitations/${workspaceId}/decline`, {
      headers: bearer(decliner.token),
    });
    expect(declined.status).toBe(204);
    const accept = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: bearer(decliner.token),
    });
    expect(accept.status).toBe(404);

    const withdrawnUser = await signedIn('invite-withdrawn');
    expect((await invite(withdrawnUser.user.email)).status).toBe(201);
    const withdrawn = await callApi(
      'DELETE',
      `/workspaces/${workspaceId}/invitations/${encodeURIComponent(withdrawnUser.user.email)}`,
      { headers: asOwner() },
    );
    expect(withdrawn.status).toBe(204);
    const late = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: bearer(withdrawnUser.token),
    });
    expect(late.status).toBe(404);
    const members = await callApi<{ items: { userId: string }[] }>(
      'GET',
      `/workspaces/${workspaceId}/members`,
      { headers: asOwner() },
    );
    const ids = members.body.items.map((item) => item.userId);
    expect(ids).not.toContain(decliner.user.id);
    expect(ids).not.toContain(withdrawnUser.user.id);
  });

  it("nobody accepts another address's invitation", async () => {
    const intended = testUser(`invite-intended-${run}`);
    expect((await invite(intended.email)).status).toBe(201);
    const other = await signedIn('invite-other');
    const stolen = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: bearer(other.token),
    });
    expect(stolen.status).toBe(404);
    const listed = await callApi<{ items: Invitation[] }>('GET', '/invitations', {
      headers: bearer(other.token),
    });
    expect(listed.body.items.map((item) => item.workspaceId)).not.toContain(workspaceId);
  });
});
