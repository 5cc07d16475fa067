import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { apiUrl, callApi } from '../support/api';
import { tokenFor, userWithEmail } from '../support/auth';

// The MCP server through the SDK's own client: over stdio (`cairn mcp`, started as an assistant
// starts it, with the CLI's profile) and over Streamable HTTP (POST /mcp on the running API).

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(6 * INDEX_TIMEOUT_MS);

const run = randomBytes(4).toString('hex');
const workspace = `mcp-${run}`;
const email = `mcp-${run}@cairn.test`;
const bin = resolve(__dirname, '../../bin/cairn.js');
const TOOLS = [
  'add_text_document',
  'document_status',
  'entity_neighborhood',
  'find_entities',
  'get_chunks',
  'get_document',
  'list_documents',
  'search',
];

let home: string;
let token: string;
let viewerKey: string;
const open: Client[] = [];

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'cairn-e2e', version: '1.0.0' });
  await client.connect(transport);
  open.push(client);
  return client;
}

const httpTransport = (headers: Record<string, string>) =>
  new StreamableHTTPClientTransport(new URL(`${apiUrl}/mcp`), { requestInit: { headers } });

/** The JSON a tool answered with (its one text part). */
function toolJson<T>(result: Awaited<ReturnType<Client['callTool']>>): T {
  const content = result.content as { type: string; text: string }[];
  if (result.isError) throw new Error(`tool error: ${content[0]?.text}`);
  return JSON.parse(content[0].text) as T;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'cairn-mcp-home-'));
  const env = { ...process.env, XDG_CONFIG_HOME: home, CAIRN_API_URL: apiUrl };
  // The profile `cairn mcp` will use: signed in and in a workspace of its own, from the CLI.
  await promisify(execFile)(process.execPath, [bin, 'login', '--email', email], { env });
  await promisify(execFile)(
    process.execPath,
    [bin, 'workspaces', 'create', `MCP ${run}`, '--id', workspace],
    { env },
  );
  token = await tokenFor(userWithEmail(email), { expiresIn: 3600 });
  const key = await callApi<{ key: string }>('POST', `/workspaces/${workspace}/api-keys`, {
    headers: { authorization: `Bearer ${token}` },
    json: { name: 'agent viewer', role: 'viewer' },
  });
  expect(key.status).toBe(201);
  viewerKey = key.body.key;
});

afterAll(async () => {
  for (const client of open) await client.close();
  await rm(home, { recursive: true, force: true });
});

/** add_text_document (waiting until indexed), then search finds the passage, then read it. */
async function addThenSearch(client: Client, label: string): Promise<void> {
  const tools = await client.listTools();
  expect(tools.tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
  const search = tools.tools.find((tool) => tool.name === 'search')!;
  expect(search.description).toMatch(/score parts/);
  expect(search.inputSchema.required).toEqual(['query']);

  const text = `Orrin Vasquez charted the ${label} lighthouse of Skarvhamn ${run} in 1887, and its keeper Thea Lund logged every storm.`;
  const added = toolJson<{ id: string; status: string }>(
    await client.callTool({
      name: 'add_text_document',
      arguments: {
        title: `Lighthouse ${label} ${run}`,
        text,
        wait: true,
        timeoutSeconds: INDEX_TIMEOUT_MS / 1000,
      },
    }),
  );
  expect(added).toMatchObject({ status: 'indexed' });

  const found = toolJson<{
    hits: { documentId: string; text: string; title: string; scoreParts: object }[];
  }>(
    await client.callTool({
      name: 'search',
      arguments: { query: `${label} lighthouse of Skarvhamn ${run}`, limit: 3 },
    }),
  );
  expect(found.hits[0]).toMatchObject({
    documentId: added.id,
    title: `Lighthouse ${label} ${run}`,
  });
  expect(found.hits[0].text).toContain(`${label} lighthouse of Skarvhamn`);

  const status = toolJson<{ status: string }>(
    await client.callTool({ name: 'document_status', arguments: { id: added.id } }),
  );
  expect(status.status).toBe('indexed');
  const resource = await client.readResource({ uri: `cairn://documents/${added.id}` });
  expect(resource.contents[0]).toMatchObject({
    uri: `cairn://documents/${added.id}`,
    mimeType: 'text/plain',
  });
  expect((resource.contents[0] as { text: string }).text).toContain(
    `${label} lighthouse of Skarvhamn`,
  );
}

describe('MCP server', () => {
  it('over stdio (cairn mcp with the CLI profile): lists the tools, adds a document, finds it', async () => {
    const client = await connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, 'mcp'],
        env: { ...getDefaultEnvironment(), XDG_CONFIG_HOME: home, CAIRN_API_URL: apiUrl },
        stderr: 'pipe',
      }),
    );
    expect(client.getServerVersion()).toMatchObject({ name: 'cairn' });
    await addThenSearch(client, 'stdio');
  });

  it('over Streamable HTTP with a Bearer token: the same tools act in the named workspace', async () => {
    const client = await connect(
      httpTransport({ authorization: `Bearer ${token}`, 'x-workspace-id': workspace }),
    );
    await addThenSearch(client, 'http');
    const listed = toolJson<{ items: { title: string }[] }>(
      await client.callTool({ name: 'list_documents', arguments: { limit: 10 } }),
    );
    expect(listed.items.map((doc) => doc.title).sort()).toEqual([
      `Lighthouse http ${run}`,
      `Lighthouse stdio ${run}`,
    ]);
  });

  it("a viewer's API key can search but gets a tool error from add_text_document", async () => {
    const client = await connect(httpTransport({ 'x-api-key': viewerKey }));
    const found = toolJson<{ hits: unknown[] }>(
      await client.callTool({ name: 'search', arguments: { query: `Skarvhamn ${run}` } }),
    );
    expect(found.hits.length).toBeGreaterThan(0);

    const refused = await client.callTool({
      name: 'add_text_document',
      arguments: { title: 'Not allowed', text: `A viewer tried to add this ${run}.` },
    });
    expect(refused.isError).toBe(true);
    expect((refused.content as { text: string }[])[0].text).toMatch(
      /^Cairn API error 403: .*editor.*request [\w-]+$/,
    );
    const documents = await callApi<{ items: { title: string }[] }>('GET', '/documents', {
      headers: { authorization: `Bearer ${token}`, 'x-workspace-id': workspace },
    });
    expect(documents.body.items.map((doc) => doc.title)).not.toContain('Not allowed');
  });

  it('refuses a bad token (401) and a workspace the caller is not in (404)', async () => {
    const badToken = await fetch(`${apiUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer not-a-token',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer');
    await expect(
      connect(httpTransport({ authorization: 'Bearer not-a-token', 'x-workspace-id': workspace })),
    ).rejects.toThrow(/401/);

    const stranger = await tokenFor(userWithEmail(`stranger-${run}@cairn.test`));
    const elsewhere = await fetch(`${apiUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stranger}`,
        'x-workspace-id': workspace,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(elsewhere.status).toBe(404);
  });

  it('answers GET /mcp with 405: a stateless server has no stream to offer', async () => {
    const response = await fetch(`${apiUrl}/mcp`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-workspace-id': workspace,
        accept: 'text/event-stream',
      },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});
