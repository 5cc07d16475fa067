import { randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidIdentifierError } from '../../src/common/ids';
import { loadConfig } from '../../src/config/config';
import {
  artifactKey,
  blobKey,
  S3BlobStore,
  workspacePrefix,
} from '../../src/stores/s3/s3-blob.store';

jest.setTimeout(30_000);

describe('S3BlobStore (real MinIO)', () => {
  const store = new S3BlobStore(loadConfig());
  const workspaceId = `it-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await store.ensureBucket();
    await store.ensureBucket();
  });
  afterAll(async () => {
    await store.removeMany(await store.list(workspacePrefix(workspaceId)));
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

  it('refuses keys that would escape their workspace prefix', async () => {
    await expect(store.put('ws/default/../other/x', Buffer.from('x'))).rejects.toBeInstanceOf(
      InvalidIdentifierError,
    );
    await expect(store.get('elsewhere/x')).rejects.toBeInstanceOf(InvalidIdentifierError);
    await expect(store.list('ws/')).rejects.toBeInstanceOf(InvalidIdentifierError);
    expect(() => artifactKey(workspaceId, 'doc', '../../blobs/x')).toThrow(InvalidIdentifierError);
  });
});
