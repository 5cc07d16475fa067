// The workspace the console acts in, for this tab: sent as X-Workspace-Id with every request.

const STORAGE_KEY = 'cairn.workspace';

export function currentWorkspaceId(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function setCurrentWorkspaceId(id: string | null): void {
  if (id) sessionStorage.setItem(STORAGE_KEY, id);
  else sessionStorage.removeItem(STORAGE_KEY);
}
