import { randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidIdentifierError } from '../../src/common/ids';
import { loadConfig } from '../../src/config/config';
import {
  artifactKey,
  blobKey,
  S3BlobStore,
  workspacePrefix,
  type BlobToPut,
} from '../../src/stores/s3/s3-blob.store';

jest.setTimeout(30_000);

/** A store whose tar uploads MinIO keeps as they are, as a plain S3 server would. */
class StoreOfAServerThatKeepsTars extends S3BlobStore {
  protected override readonly unpackTarMetadata: Record<string, string> = {};
}

function blobsOf(workspaceId: string, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const body = Buffer.from(`passage ${index} ${randomUUID()} ${'é'.repeat(index)}`);
    return { key: blobKey(workspaceId, createHash('sha256').update(body).digest('hex')), body };
  });
}

/**
 * Runs `write`, then checks that it added exactly these blobs' keys to the workspace, with their
 * bytes, and removes them again.
 */
async function expectExactlyWritten(
  store: S3BlobStore,
  workspaceId: string,
  blobs: BlobToPut[],
  write: () => Promise<void>,
): Promise<void> {
  const before = await store.list(workspacePrefix(workspaceId));
  await write();
  const added = (await store.list(workspacePrefix(workspaceId))).filter(
    (key) => !before.includes(key),
  );
  expect(added.sort()).toEqual(blobs.map(({ key }) => key).sort());
  for (const { key, body } of blobs) expect((await store.get(key)).equals(body)).toBe(true);
  await store.removeMany(added);
}

describe('S3BlobStore (real MinIO)', () => {
  const store = new S3BlobStore(loadConfig());
  const workspaceId = `it-${randomUUID().slice(0, 8)}`;
  // 63 characters, the most a workspace id may have: its blob keys outgrow a tar header's name.
  const longWorkspaceId = `it-${randomUUID().replaceAll('-', '')}`.padEnd(63, 'x');

  beforeAll(async () => {
    await store.ensureBucket();
    await store.ensureBucket();
  });
  afterAll(async () => {
    for (const id of [workspaceId, longWorkspaceId]) {
      await store.removeMany(await store.list(workspacePrefix(id)));
    }
    await store.onModuleDestroy();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('puts, stats, reads back and removes a content-addressed blob', async () => {
    const body = Buffer.from(`hello ${randomUUID()}`);
    const key = blobKey(workspaceId, createHash('sha256').update(body).digest('hex'));
    await store.put(key, body, body.length, 'text/plain');

    expect(await store.stat(key)).toMatchObject({ size: body.length });
    expect((await store.get(key)).equals(body)).toBe(true);

    const chunks: Buffer[] = [];
    for await (const chunk of await store.getStream(key)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);

    await store.remove(key);
    expect(await store.stat(key)).toBeNull();
    await expect(store.remove(key)).resolves.toBeUndefined();
  });

  it('streams uploads of unknown size, lists by prefix and removes many', async () => {
    const documentId = randomUUID();
    const names = ['text.txt', 'chunks.json', 'pages/0001.txt'];
    for (const name of names) {
      await store.put(
        artifactKey(workspaceId, documentId, name),
        Readable.from([Buffer.from(name)]),
      );
    }
    const listed = await store.list(`ws/${workspaceId}/artifacts/${documentId}/`);
    expect(listed.sort()).toEqual(
      names.map((name) => artifactKey(workspaceId, documentId, name)).sort(),
    );
    expect(
      (await store.get(artifactKey(workspaceId, documentId, 'pages/0001.txt'))).toString(),
    ).toBe('pages/0001.txt');

    await store.removeMany(listed);
    expect(await store.list(`ws/${workspaceId}/artifacts/${documentId}/`)).toEqual([]);
  });

  it.each([
    ['a short', workspaceId],
    ['the longest', longWorkspaceId],
  ])(
    'puts many blobs in one tar upload that MinIO unpacks, leaving no tar behind (%s workspace id)',
    async (_, workspace) => {
      const blobs = blobsOf(workspace, 40);
      await expectExactlyWritten(store, workspace, blobs, async () => {
        await store.putMany(blobs);
        await store.putMany(blobs); // idempotent: the same objects again
      });
    },
  );

  it('puts many blobs one by one on a server that keeps tars, after removing the tar', async () => {
    const keeper = new StoreOfAServerThatKeepsTars(loadConfig());
    try {
      for (const round of [1, 2]) {
        const blobs = blobsOf(workspaceId, 5 * round);
        await expectExactlyWritten(keeper, workspaceId, blobs, () => keeper.putMany(blobs));
      }
    } finally {
      await keeper.onModuleDestroy();
    }
  });

  it('writes nothing of a batch that has one key outside its workspace', async () => {
    const blobs = [...blobsOf(workspaceId, 3), { key: 'ws/default/../x', body: Buffer.from('x') }];
    await expect(store.putMany(blobs)).rejects.toBeInstanceOf(InvalidIdentifierError);
    for (const { key } of blobs.slice(0, 3)) expect(await store.stat(key)).toBeNull();
  });

  it('refuses keys that would escape their workspace prefix', async () => {
    await expect(store.put('ws/default/../other/x', Buffer.from('x'))).rejects.toBeInstanceOf(
      InvalidIdentifierError,
    );
    await expect(store.get('elsewhere/x')).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(store.list('ws/')).rejects.toBeInstanceOf(InvalidIdentifierError);
    expect(() => artifactKey(workspaceId, 'doc', '../../blobs/x')).toThrow(InvalidIdentifierError);
  });
});
