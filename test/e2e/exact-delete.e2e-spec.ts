import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import { callApi } from '../support/api';
import { defaultTestUser, ensureWorkspace, tokenFor } from '../support/auth';
import {
  dropWorkspace,
  dumpWorkspace,
  openStores,
  type StoreClients,
} from '../support/store-snapshot';

// Deleting or re-processing a document leaves all four stores exactly as in a workspace that only
// ever received the other documents: full dumps (every node, relationship, Weaviate object with
// its vector, MinIO object and Postgres row, ids and timestamps normalised) are compared.

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 120_000);
jest.setTimeout(12 * INDEX_TIMEOUT_MS);

const run = randomBytes(3).toString('hex');
// Both name Lindqvist Moreau and Quorvex. The first one says Quorvex, types Moreau as a person
// and gives the alias "Moreau"; the second says QUORVEX and leaves Moreau untyped ('other').
const FIRST = {
  title: `Board minutes ${run}`,
  text: `Lindqvist Moreau met the board of Quorvex in Toronto. Moreau paid the board of Quorvex. Reference ${run}.`,
};
const SECOND = {
  title: `Institute news ${run}`,
  text: `The Quorvex Institute (QVX) opened in Toronto. Professor Lindqvist Moreau joined QUORVEX in Berlin. Reference ${run}.`,
};
type Upload = typeof FIRST;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('exact delete and re-process across all stores', () => {
  let app: INestApplicationContext;
  let stores: StoreClients;
  let token: string;
  const workspaces: string[] = [];

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    token = await tokenFor(defaultTestUser(), { expiresIn: 3600 });
  });

  afterAll(async () => {
    for (const workspaceId of workspaces) {
      await dropWorkspace(stores, workspaceId).catch(() => undefined);
    }
    await app?.close();
  });

  async function newWorkspace(role: string): Promise<string> {
    const workspaceId = `exact-${role}-${run}`;
    await ensureWorkspace(token, workspaceId, 'Exact delete');
    workspaces.push(workspaceId);
    return workspaceId;
  }

  const call = <T>(workspaceId: string, method: string, path: string, json?: unknown) =>
    callApi<T>(method, path, {
      json,
      headers: { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId },
    });

  async function waitIndexed(workspaceId: string, id: string): Promise<DocumentDto> {
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    for (;;) {
      const { status, body } = await call<DocumentDto>(workspaceId, 'GET', `/documents/${id}`);
      expect(status).toBe(200);
      if (body.status === 'failed') throw new Error(`${id} failed: ${body.error}`);
      if (body.status === 'indexed') return body;
      if (Date.now() > deadline) throw new Error(`${id} not indexed: ${body.status}/${body.stage}`);
      await sleep(300);
    }
  }

  /** Uploads one after the other, each indexed before the next starts. */
  async function upload(workspaceId: string, ...documents: Upload[]): Promise<string[]> {
    const ids: string[] = [];
    for (const document of documents) {
      const response = await call<DocumentAcceptedDto>(workspaceId, 'POST', '/documents', document);
      expect(response.status).toBe(202);
      await waitIndexed(workspaceId, response.body.id);
      ids.push(response.body.id);
    }
    return ids;
  }

  async function deleteDocument(workspaceId: string, id: string): Promise<void> {
    expect((await call(workspaceId, 'DELETE', `/documents/${id}`)).status).toBe(202);
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    while ((await call(workspaceId, 'GET', `/documents/${id}`)).status !== 404) {
      if (Date.now() > deadline) throw new Error(`${id} was not deleted`);
      await sleep(300);
    }
  }

  async function reprocess(workspaceId: string, id: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const { status } = await call(workspaceId, 'POST', `/documents/${id}/reprocess`);
      if (status === 202) break;
      // The run that indexed it may still be closing for a moment.
      if (status !== 409 || attempt > 100) throw new Error(`reprocess ${id}: ${status}`);
      await sleep(200);
    }
    // The row leaves 'indexed' as the new run starts; wait for that run to index it again.
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    for (;;) {
      const { body } = await call<DocumentDto>(workspaceId, 'GET', `/documents/${id}`);
      if (body.status !== 'indexed') break;
      if (Date.now() > deadline) throw new Error(`${id} was never re-processed`);
      await sleep(100);
    }
    await waitIndexed(workspaceId, id);
  }

  const entity = async (workspaceId: string, key: string) =>
    (
      await stores.graph.run<{ name: string; type: string; aliases: string[] }>(
        `MATCH (e:Entity {workspaceId: $workspaceId, key: $key})
         RETURN e.name AS name, e.type AS type, e.aliases AS aliases`,
        { workspaceId, key },
        'read',
      )
    )[0];

  let onlySecond: string;

  beforeAll(async () => {
    onlySecond = await newWorkspace('only-second');
    await upload(onlySecond, SECOND);
  });

  it('deleting the first writer of shared entities leaves what the other document alone gives', async () => {
    const workspaceId = await newWorkspace('first-deleted');
    const [first] = await upload(workspaceId, FIRST, SECOND);
    // While both are there, both contribute.
    expect(await entity(workspaceId, 'lindqvist moreau')).toEqual({
      name: 'Lindqvist Moreau',
      type: 'person',
      aliases: ['Moreau'],
    });
    expect((await entity(workspaceId, 'quorvex'))?.aliases).toEqual(['Quorvex']);

    await deleteDocument(workspaceId, first);

    expect(await entity(workspaceId, 'lindqvist moreau')).toEqual({
      name: 'Lindqvist Moreau',
      type: 'other',
      aliases: [],
    });
    expect(await entity(workspaceId, 'quorvex')).toEqual({
      name: 'QUORVEX',
      type: 'other',
      aliases: [],
    });
    const dump = await dumpWorkspace(stores, workspaceId);
    expect(dump.neo4j.length).toBeGreaterThan(10);
    expect(dump.weaviate).toHaveLength(1);
    expect(dump).toEqual(await dumpWorkspace(stores, onlySecond));
  });

  it('deleting a later writer takes back the type and alias it added', async () => {
    const workspaceId = await newWorkspace('later-deleted');
    const [, later] = await upload(workspaceId, SECOND, FIRST);
    expect((await entity(workspaceId, 'lindqvist moreau'))?.type).toBe('person');

    await deleteDocument(workspaceId, later);

    expect(await dumpWorkspace(stores, workspaceId)).toEqual(
      await dumpWorkspace(stores, onlySecond),
    );
  });

  it('re-processing a document gives what uploading both once, in any order, gives', async () => {
    const workspaceId = await newWorkspace('reprocessed');
    const [first] = await upload(workspaceId, FIRST, SECOND);
    await reprocess(workspaceId, first);

    const fresh = await newWorkspace('fresh-both');
    await upload(fresh, SECOND, FIRST);
    const expected = await dumpWorkspace(stores, fresh);
    expect(expected.postgres.filter((row) => row.startsWith('documents '))).toHaveLength(2);
    expect(await dumpWorkspace(stores, workspaceId)).toEqual(expected);
  });
});
