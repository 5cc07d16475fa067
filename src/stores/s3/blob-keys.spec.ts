import { InvalidIdentifierError } from '../../common/ids';
import {
  artifactKey,
  assertListPrefix,
  assertObjectKey,
  blobKey,
  workspacePrefix,
} from './blob-keys';

const sha = 'a'.repeat(64);

describe('blob keys', () => {
  it('builds content-addressed blob keys inside the workspace', () => {
    expect(blobKey('default', sha)).toBe(`ws/default/blobs/${sha}`);
  });

  it('builds artifact keys per document, allowing nested names', () => {
    const documentId = '6f1c2a52-3d1e-4c55-9a0b-1f0e2d3c4b5a';
    expect(artifactKey('team-a', documentId, 'chunks.json')).toBe(
      `ws/team-a/artifacts/${documentId}/chunks.json`,
    );
    expect(artifactKey('team-a', documentId, 'pages/0001.txt')).toBe(
      `ws/team-a/artifacts/${documentId}/pages/0001.txt`,
    );
  });

  it.each([
    ['../other', sha],
    ['Default', sha],
    ['', sha],
    ['ws/x', sha],
  ])('rejects workspace id %j', (workspaceId, hash) => {
    expect(() => blobKey(workspaceId, hash)).toThrow(InvalidIdentifierError);
  });

  it.each(['', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(63)}/`, '../../etc/passwd'])(
    'rejects sha256 %j',
    (hash) => {
      expect(() => blobKey('default', hash)).toThrow(InvalidIdentifierError);
    },
  );

  it.each([
    ['..', 'x'],
    ['doc/../../x', 'x'],
    ['doc', '../escape'],
    ['doc', 'a/../../b'],
    ['doc', '/absolute'],
    ['doc', 'trailing/'],
    ['doc', 'a//b'],
    ['doc', '.hidden'],
    ['doc', 'sp ace'],
    ['doc', ''],
  ])('rejects artifact document %j name %j', (documentId, name) => {
    expect(() => artifactKey('default', documentId, name)).toThrow(InvalidIdentifierError);
  });

  it('validates raw object keys and list prefixes', () => {
    expect(() => assertObjectKey(`ws/default/blobs/${sha}`)).not.toThrow();
    expect(() => assertObjectKey('ws/default/smoke/probe-1')).not.toThrow();
    expect(() => assertObjectKey('ws/default/../other/x')).toThrow(InvalidIdentifierError);
    expect(() => assertObjectKey('other/default/x')).toThrow(InvalidIdentifierError);
    expect(() => assertObjectKey('ws/default/')).toThrow(InvalidIdentifierError);
    expect(() => assertListPrefix(workspacePrefix('default'))).not.toThrow();
    expect(() => assertListPrefix('ws/default/artifacts/')).not.toThrow();
    expect(() => assertListPrefix('ws/default/artifacts/doc')).not.toThrow();
    expect(() => assertListPrefix('ws/')).toThrow(InvalidIdentifierError);
    expect(() => assertListPrefix('')).toThrow(InvalidIdentifierError);
    expect(() => assertListPrefix('ws/default/../')).toThrow(InvalidIdentifierError);
  });
});
