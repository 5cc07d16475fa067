import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type {
  DocumentAcceptedDto,
  DocumentDto,
  DocumentListDto,
  DocumentVersionListDto,
} from '../../src/documents/documents.dto';
import type { SearchResponse } from '../../src/search/search.types';
import type { WatchDto, WatchMatchListDto } from '../../src/watches/watches.dto';
import { callApi, type ApiResponse } from '../support/api';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import {
  dropWorkspace,
  dumpWorkspace,
  openStores,
  type StoreClients,
} from '../support/store-snapshot';

// Versions by source (issue 32.1), through the real API, workers and stores: a new version under
// a sourceKey replaces the current one without a moment where searches see both or neither, and
// withdraws exactly what only the old version contributed.

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 120_000);
jest.setTimeout(8 * INDEX_TIMEOUT_MS);

const run = randomBytes(3).toString('hex');
const SOURCE_KEY = `file:///shares/ferries/timetable-${run}.txt`;
// Each word below that ends with the run token is one keyword: shared by both versions, or in
// one of them only. The names are entities of one version only (or of both: Ravensholt).
const SHARED = `ravensholt${run}`;
const ONLY_V1 = `quillmoorian${run}`;
const ONLY_V2 = `thornvalian${run}`;
const V1 = {
  title: `Ferry timetable ${run}`,
  text: `The Ravensholt Ferry Company sails to Skerrin Isle at dawn (${SHARED}). Captain Halvard Quillmoor commands the morning crossing (${ONLY_V1}).`,
  sourceKey: SOURCE_KEY,
};
const V2 = {
  title: `Ferry timetable ${run}`,
  text: `The Ravensholt Ferry Company sails to Skerrin Isle at dawn (${SHARED}). Captain Brisca Thornvale now commands the morning crossing and its new electric ferry (${ONLY_V2}).`,
  sourceKey: SOURCE_KEY,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('document versions by sourceKey', () => {
  let app: INestApplicationContext;
  let stores: StoreClients;
  let token: string;
  const workspaces: string[] = [];

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    // A user of its own: the searches below spend its rate budget, nobody else's.
    token = await tokenFor(testUser(`versions-${run}`), { expiresIn: 3600 });
  });

  afterAll(async () => {
    for (const workspaceId of workspaces) {
      await dropWorkspace(stores, workspaceId).catch(() => undefined);
    }
    await app?.close();
  });

  async function newWorkspace(role: string): Promise<string> {
    const workspaceId = `versions-${role}-${run}`;
    await ensureWorkspace(token, workspaceId, 'Versions');
    workspaces.push(workspaceId);
    return workspaceId;
  }

  const call = <T>(
    workspaceId: string,
    method: string,
    path: string,
    json?: unknown,
  ): Promise<ApiResponse<T>> =>
    callApi<T>(method, path, {
      json,
      headers: { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId },
    });

  async function upload(workspaceId: string, document: object): Promise<DocumentAcceptedDto> {
    const response = await call<DocumentAcceptedDto>(workspaceId, 'POST', '/documents', document);
    expect(response.status).toBe(202);
    return response.body;
  }

  /** Waits until GET /documents/:id shows the given version indexed. */
  async function waitVersion(workspaceId: string, id: string, versionId: string) {
    const deadline = Date.now() + INDEX_TIMEOUT_MS;
    for (;;) {
      const { status, body } = await call<DocumentDto>(workspaceId, 'GET', `/documents/${id}`);
      expect(status).toBe(200);
      const own = await call<DocumentDto>(workspaceId, 'GET', `/documents/${versionId}`);
      if (own.body.status === 'failed') throw new Error(`${versionId} failed: ${own.body.error}`);
      if (body.versionId === versionId && body.status === 'indexed') return body;
      if (Date.now() > deadline) throw new Error(`${versionId} not current: ${own.body.status}`);
      await sleep(250);
    }
  }

  async function versions(workspaceId: string, id: string): Promise<DocumentVersionListDto> {
    const response = await call<DocumentVersionListDto>(
      workspaceId,
      'GET',
      `/documents/${id}/versions`,
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  async function keywordHits(workspaceId: string, query: string): Promise<string[] | undefined> {
    const response = await call<SearchResponse>(workspaceId, 'POST', '/search', {
      query,
      mode: 'keyword',
      limit: 10,
    });
    // Busy (load shedding, rate budget): not an answer, ask again.
    if (response.status === 429 || response.status === 503) return undefined;
    expect(response.status).toBe(200);
    return response.body.hits.map((hit) => hit.documentId);
  }

  async function entityKeys(workspaceId: string): Promise<string[]> {
    const rows = await stores.graph.run<{ key: string }>(
      'MATCH (e:Entity {workspaceId: $workspaceId}) RETURN e.key AS key ORDER BY key',
      { workspaceId },
      'read',
    );
    return rows.map((row) => row.key);
  }

  it('a new version replaces the current one: searches never see both or neither, then only what it holds', async () => {
    const workspaceId = await newWorkspace('switch');
    const first = await upload(workspaceId, V1);
    expect(first).toMatchObject({ version: 1 });
    expect(first.versionId).not.toBe(first.id);
    const documentId = first.id;
    await waitVersion(workspaceId, documentId, first.versionId);
    expect(await keywordHits(workspaceId, ONLY_V1)).toEqual([first.versionId]);
    expect((await entityKeys(workspaceId)).some((key) => key.includes('quillmoor'))).toBe(true);

    // A watch on what only the new version says: it must fire for the new version.
    const watch = await call<WatchDto>(workspaceId, 'POST', '/watches', {
      name: 'Electric ferries',
      query: 'Captain Brisca Thornvale commands the new electric ferry',
    });
    expect(watch.status).toBe(201);

    // Searches run throughout the switch: each must see exactly one version.
    const seen: string[][] = [];
    let searching = true;
    const searches = (async () => {
      while (searching) {
        const hits = await keywordHits(workspaceId, SHARED);
        if (hits) seen.push(hits);
        await sleep(hits ? 100 : 1_000);
      }
    })();

    let second: DocumentAcceptedDto;
    try {
      second = await upload(workspaceId, V2);
      expect(second).toMatchObject({ id: documentId, version: 2 });
      // Until the new version is indexed, the document shows the current one.
      const during = await call<DocumentDto>(workspaceId, 'GET', `/documents/${documentId}`);
      expect(during.body).toMatchObject({ id: documentId, sourceKey: SOURCE_KEY });
      expect([first.versionId, second.versionId]).toContain(during.body.versionId);
      // Another version while one is being indexed is refused, not queued.
      const third = await call(workspaceId, 'POST', '/documents', {
        ...V2,
        text: `${V2.text} A third version.`,
      });
      expect(third.status).toBe(409);

      const current = await waitVersion(workspaceId, documentId, second.versionId);
      expect(current).toMatchObject({ id: documentId, version: 2, sourceKey: SOURCE_KEY });
      // The replaced version is withdrawn by the same run.
      const deadline = Date.now() + INDEX_TIMEOUT_MS;
      while ((await versions(workspaceId, documentId)).items[0]?.status !== 'replaced') {
        if (Date.now() > deadline) throw new Error('version 1 was never withdrawn');
        await sleep(250);
      }
      await sleep(1_000);
    } finally {
      searching = false;
      await searches;
    }

    const mine = new Set([first.versionId, second.versionId]);
    const visible = seen.map((hits) => hits.filter((id) => mine.has(id)));
    expect(visible.length).toBeGreaterThan(10);
    expect(visible.filter((ids) => ids.length !== 1)).toEqual([]);
    // Old, then new, never back: one switch.
    const order = visible.map(([id]) => id);
    const switchAt = order.indexOf(second.versionId);
    expect(switchAt).toBeGreaterThan(0);
    expect(order.slice(switchAt).every((id) => id === second.versionId)).toBe(true);

    // What only version 1 said is gone from search and from the graph; the rest is there.
    expect(await keywordHits(workspaceId, ONLY_V1)).toEqual([]);
    expect(await keywordHits(workspaceId, ONLY_V2)).toEqual([second.versionId]);
    const keys = await entityKeys(workspaceId);
    expect(keys.some((key) => key.includes('quillmoor'))).toBe(false);
    expect(keys.some((key) => key.includes('thornvale'))).toBe(true);
    expect(keys.some((key) => key.includes('ravensholt'))).toBe(true);

    const history = await versions(workspaceId, documentId);
    expect(history).toMatchObject({ documentId, sourceKey: SOURCE_KEY });
    expect(history.items).toMatchObject([
      { version: 1, versionId: first.versionId, status: 'replaced', current: false },
      { version: 2, versionId: second.versionId, status: 'indexed', current: true },
    ]);
    expect(history.items[0].replacedAt).not.toBeNull();
    const listed = await call<DocumentListDto>(workspaceId, 'GET', '/documents');
    expect(listed.body.items.map((item) => [item.id, item.version])).toEqual([[documentId, 2]]);
    expect((await call(workspaceId, 'GET', `/documents/${first.versionId}`)).status).toBe(404);

    // The watch fired once, for the new version.
    const matchDeadline = Date.now() + INDEX_TIMEOUT_MS;
    let matches: WatchMatchListDto;
    for (;;) {
      matches = (
        await call<WatchMatchListDto>(workspaceId, 'GET', `/watches/${watch.body.id}/matches`)
      ).body;
      if (matches.total > 0 || Date.now() > matchDeadline) break;
      await sleep(500);
    }
    expect(matches.total).toBe(1);
    expect(matches.items[0]).toMatchObject({ documentId: second.versionId });

    // The same bytes again change nothing.
    const again = await upload(workspaceId, V2);
    expect(again).toMatchObject({ id: documentId, versionId: second.versionId, version: 2 });
    expect(again.status).toBe('indexed');
    expect((await versions(workspaceId, documentId)).items).toHaveLength(2);

    // Every store holds exactly what a workspace that only ever received version 2 holds.
    const fresh = await newWorkspace('only-v2');
    const only = await upload(fresh, V2);
    await waitVersion(fresh, only.id, only.versionId);
    const expected = await dumpWorkspace(stores, fresh);
    const actual = await dumpWorkspace(stores, workspaceId);
    expect(actual.neo4j).toEqual(expected.neo4j);
    expect(actual.weaviate).toEqual(expected.weaviate);
    expect(actual.minio).toEqual(expected.minio);

    // Deleting the document removes every version.
    expect((await call(workspaceId, 'DELETE', `/documents/${documentId}`)).status).toBe(202);
    const goneBy = Date.now() + INDEX_TIMEOUT_MS;
    while ((await call(workspaceId, 'GET', `/documents/${documentId}`)).status !== 404) {
      if (Date.now() > goneBy) throw new Error(`${documentId} was not deleted`);
      await sleep(300);
    }
    expect((await call(workspaceId, 'GET', `/documents/${second.versionId}`)).status).toBe(404);
    expect((await call(workspaceId, 'GET', `/documents/${documentId}/versions`)).status).toBe(404);
    const deleted = await dumpWorkspace(stores, workspaceId);
    expect(deleted.weaviate).toEqual([]);
    expect(deleted.minio).toEqual([]);
    expect(await entityKeys(workspaceId)).toEqual([]);
  });

  it('without sourceKey an upload keeps its old meaning; a bad sourceKey is a 400', async () => {
    const workspaceId = await newWorkspace('plain');
    const plain = { title: V1.title, text: V1.text };
    const first = await upload(workspaceId, plain);
    expect(first).toMatchObject({ versionId: first.id, version: null });
    const again = await upload(workspaceId, plain);
    expect(again.id).toBe(first.id);
    // The same bytes under a key are a document of their own.
    const keyed = await upload(workspaceId, V1);
    expect(keyed.id).not.toBe(first.id);
    await waitVersion(workspaceId, first.id, first.id);
    await waitVersion(workspaceId, keyed.id, keyed.versionId);
    const history = await versions(workspaceId, first.id);
    expect(history).toMatchObject({ documentId: first.id, sourceKey: null });
    expect(history.items).toMatchObject([{ version: 1, versionId: first.id, current: true }]);

    for (const sourceKey of ['', ' padded ', 'line\nbreak', 'x'.repeat(2049)]) {
      const refused = await call<{ message: string | string[] }>(
        workspaceId,
        'POST',
        '/documents',
        { ...plain, text: `${plain.text} ${sourceKey.length}`, sourceKey },
      );
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('sourceKey');
    }
    // Multipart: the key is a form field.
    const form = new FormData();
    form.append('sourceKey', 'bad\u0007key');
    form.append('file', new Blob(['Some text.']), 'note.txt');
    const refusedFile = await callApi('POST', '/documents', {
      body: form,
      headers: { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId },
    });
    expect(refusedFile.status).toBe(400);
    const listed = await call<DocumentListDto>(workspaceId, 'GET', '/documents');
    expect(listed.body.total).toBe(2);
  });
});
