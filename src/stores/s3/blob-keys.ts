import {
  DOCUMENT_ID_PATTERN,
  InvalidIdentifierError,
  SHA256_PATTERN,
  assertWorkspaceId,
} from '../../common/ids';

// One path segment of an object key: no separators, no "." or "..", nothing a shell or URL mangles.
const KEY_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const MAX_KEY_LENGTH = 1024; // S3's own limit

/** Where the original bytes of an upload live: content-addressed, so re-uploads are free. */
export function blobKey(workspaceId: string, sha256: string): string {
  assertWorkspaceId(workspaceId);
  if (!SHA256_PATTERN.test(sha256)) throw new InvalidIdentifierError('sha256', sha256);
  return `ws/${workspaceId}/blobs/${sha256}`;
}

/**
 * Files of one document under its own prefix, e.g. name "chunks.json" (where documents processed
 * before batch hand-offs keep their chunks; removing a document clears the prefix).
 */
export function artifactKey(workspaceId: string, documentId: string, name: string): string {
  assertWorkspaceId(workspaceId);
  if (!DOCUMENT_ID_PATTERN.test(documentId))
    throw new InvalidIdentifierError('document id', documentId);
  assertRelativePath(name, 'artifact name');
  return `ws/${workspaceId}/artifacts/${documentId}/${name}`;
}

/**
 * Hand-offs between the steps of one processing run over a set of documents (`batch` is a hash
 * of the set), e.g. "extraction.json". They live only until the run has indexed the set.
 */
export function handoffKey(workspaceId: string, batch: string, name: string): string {
  assertWorkspaceId(workspaceId);
  if (!SHA256_PATTERN.test(batch)) throw new InvalidIdentifierError('batch', batch);
  assertRelativePath(name, 'hand-off name');
  return `ws/${workspaceId}/handoffs/${batch}/${name}`;
}

/** Files of one bulk import (its uploaded source, the list of its documents), e.g. "source". */
export function importKey(workspaceId: string, importId: string, name: string): string {
  assertWorkspaceId(workspaceId);
  if (!DOCUMENT_ID_PATTERN.test(importId)) throw new InvalidIdentifierError('import id', importId);
  assertRelativePath(name, 'import file name');
  return `ws/${workspaceId}/imports/${importId}/${name}`;
}

/** Prefix of everything a workspace stores, for listing or wiping it. */
export function workspacePrefix(workspaceId: string): string {
  assertWorkspaceId(workspaceId);
  return `ws/${workspaceId}/`;
}

/**
 * Every key Cairn reads or writes sits under ws/{workspace}/ and is made of safe segments,
 * so no caller-supplied part can climb out of its workspace.
 */
export function assertObjectKey(key: string): void {
  const match = /^ws\/([^/]+)\/(.+)$/.exec(key);
  if (!match || key.length > MAX_KEY_LENGTH) throw new InvalidIdentifierError('object key', key);
  assertWorkspaceId(match[1]);
  assertRelativePath(match[2], 'object key');
}

/** A listing prefix: ws/{workspace}/ followed by zero or more segments, optionally ending in "/". */
export function assertListPrefix(prefix: string): void {
  const match = /^ws\/([^/]+)\/(.*)$/.exec(prefix);
  if (!match) throw new InvalidIdentifierError('object prefix', prefix);
  assertWorkspaceId(match[1]);
  const rest = match[2].endsWith('/') ? match[2].slice(0, -1) : match[2];
  if (rest !== '') assertRelativePath(rest, 'object prefix');
}

function assertRelativePath(path: string, kind: string): void {
  const segments = path.split('/');
  if (
    !segments.every((segment) => KEY_SEGMENT.test(segment) && segment !== '.' && segment !== '..')
  ) {
    throw new InvalidIdentifierError(kind, path);
  }
}
