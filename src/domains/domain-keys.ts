import { assertWorkspaceId, DOCUMENT_ID_PATTERN, InvalidIdentifierError } from '../common/ids';

// A domain's objects in MinIO live under ws/{workspace}/domains/{domain}/.

export function domainPrefix(workspaceId: string, domainId: string): string {
  assertWorkspaceId(workspaceId);
  if (!DOCUMENT_ID_PATTERN.test(domainId)) throw new InvalidIdentifierError('domain id', domainId);
  return `ws/${workspaceId}/domains/${domainId}/`;
}

/** The domain's manifest: name, description, member documents (rewritten when they change). */
export const domainManifestKey = (workspaceId: string, domainId: string) =>
  `${domainPrefix(workspaceId, domainId)}domain.json`;

/** One drafted overview per revision, so a reviewer's comments can be read against the old one. */
export const domainOverviewKey = (workspaceId: string, domainId: string, revision: number) =>
  `${domainPrefix(workspaceId, domainId)}overview/r${Math.trunc(revision)}.json`;
