// Names and titles people type are shown to others: control characters and bidirectional
// controls ("Invoice \u202Efdp.exe" shows as "Invoice exe.pdf") are refused with a 400 wherever
// one is accepted, and nothing is stored. Domain reviewers must be members of the workspace.
import { callApi } from '../support/api';
import { testUser, testWorkspace, tokenFor } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(60_000);

const run = uniqueToken();
const disguised = `Invoice ${run} \u202efdp.exe`;
type Reply = { message: string | string[] };

describe('display strings refuse control and bidirectional control characters', () => {
  const count = async (path: string) =>
    (await callApi<{ total: number }>('GET', `${path}?limit=1`)).body.total;

  it.each([
    ['a right-to-left override', disguised],
    ['a pop directional isolate', `Report ${run} \u2069`],
    ['an escape sequence', `Report ${run} \u001b[2J`],
  ])('JSON upload: a title with %s → 400, nothing stored', async (_name, title) => {
    const before = await count('/documents');
    const response = await callApi<Reply>('POST', '/documents', {
      json: { title, text: `Body of ${run}.` },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/title: must not contain/);
    expect(await count('/documents')).toBe(before);
  });

  it('multipart upload: a title field with a bidi override → 400, nothing stored', async () => {
    const before = await count('/documents');
    const form = new FormData();
    form.append('title', disguised);
    form.append('file', new Blob([`Plain text of ${run}.`], { type: 'text/plain' }), 'a.txt');
    const response = await callApi<Reply>('POST', '/documents', { body: form });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/title: must not contain bidirectional/);
    expect(await count('/documents')).toBe(before);
  });

  it('JSONL import: a record titled with a bidi override → 400 naming the line, nothing stored', async () => {
    const before = await count('/imports');
    const body = [
      JSON.stringify({ title: `Fine ${run}`, text: 'fine' }),
      JSON.stringify({ title: disguised, text: 'disguised' }),
    ].join('\n');
    const response = await callApi<Reply>('POST', '/imports', {
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/Line 2 .*title must not contain/);
    expect(await count('/imports')).toBe(before);
  });

  it('workspace and API key names → 400', async () => {
    const token = await tokenFor(testUser(`display-${run}`));
    const workspace = await callApi<Reply>('POST', '/workspaces', {
      json: { name: disguised },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(workspace.status).toBe(400);
    expect(JSON.stringify(workspace.body.message)).toMatch(/name must not contain bidirectional/);
    const key = await callApi<Reply>('POST', `/workspaces/${testWorkspace()}/api-keys`, {
      json: { name: `bot ${run}\u0007`, role: 'viewer' },
    });
    expect(key.status).toBe(400);
    expect(JSON.stringify(key.body.message)).toMatch(/name must not contain control characters/);
  });

  it.each([
    [{ name: disguised }, 'name must not contain bidirectional'],
    [{ name: `Topics ${run}`, seedTopics: ['ok', 'b\u202ead'] }, 'a seed topic must not contain'],
    [{ name: `Description ${run}`, description: 'two\nlines \u2066x' }, 'description must not'],
    [{ name: `Reviewers ${run}`, reviewers: ['alice'] }, 'must be a user id'],
    [
      { name: `Strangers ${run}`, reviewers: ['6f1c2a52-8f0e-4f55-9b57-0b8f7a1e2d3c'] },
      'reviewers: not a member of this workspace: 6f1c2a52-8f0e-4f55-9b57-0b8f7a1e2d3c',
    ],
  ])('domains: %j → 400, nothing stored', async (body, message) => {
    const before = await count('/domains');
    const response = await callApi<Reply>('POST', '/domains', { json: { mode: 'auto', ...body } });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toContain(message);
    expect(await count('/domains')).toBe(before);
  });

  it('accepts names in any script, and a member as reviewer', async () => {
    const owner = await callApi<{ items: { userId: string }[] }>(
      'GET',
      `/workspaces/${testWorkspace()}/members`,
    );
    const created = await callApi<{ domain: { name: string; reviewers: string[]; id: string } }>(
      'POST',
      '/domains',
      {
        json: {
          name: `مجال ${run} — Tromsø`,
          mode: 'review',
          reviewers: [owner.body.items[0].userId.toUpperCase()],
        },
      },
    );
    expect(created.status).toBe(202);
    expect(created.body.domain.name).toBe(`مجال ${run} — Tromsø`);
    expect(created.body.domain.reviewers).toEqual([owner.body.items[0].userId]);
    expect((await callApi('DELETE', `/domains/${created.body.domain.id}`)).status).toBe(200);
  });
});
