// Every API call the console makes, one small typed function each.
import { authHeaders, errorOf, noteUnauthenticated } from './transport';
import { readEventStream } from './sse';
import type {
  ApiKey,
  AuditEntry,
  CairnDocument,
  Chunk,
  ConsoleConfig,
  CreateDomainRequest,
  Domain,
  DomainDetail,
  DomainOverview,
  DocumentAccepted,
  DocumentStatus,
  EntityDetail,
  EntitySummary,
  ImportView,
  Member,
  Neighborhood,
  Page,
  Readiness,
  ReviewDecision,
  Role,
  SearchRequest,
  SearchResponse,
  Workspace,
} from './types';

type Query = Record<string, string | number | undefined>;

interface CallOptions {
  query?: Query;
  json?: unknown;
  withWorkspace?: boolean;
  signal?: AbortSignal;
}

function urlOf(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers = authHeaders(options.withWorkspace ?? true);
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(urlOf(path, options.query), {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    signal: options.signal,
  });
  noteUnauthenticated(response.status);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const id = (value: string) => encodeURIComponent(value);

// ---- console and operators ----
export const consoleConfig = () => call<ConsoleConfig>('GET', '/console/config');
/** Answers 503 with the same body when a dependency is down: both are a report. */
export async function readiness(): Promise<Readiness> {
  const response = await fetch('/health/ready');
  if (response.status !== 200 && response.status !== 503) throw await errorOf(response);
  return (await response.json()) as Readiness;
}

// ---- workspaces ----
export const listWorkspaces = () =>
  call<{ items: Workspace[] }>('GET', '/workspaces', { withWorkspace: false });
export const createWorkspace = (name: string, workspaceId?: string) =>
  call<{ id: string; name: string; role: Role }>('POST', '/workspaces', {
    json: { name, ...(workspaceId ? { id: workspaceId } : {}) },
    withWorkspace: false,
  });
export const listMembers = (workspaceId: string) =>
  call<{ items: Member[] }>('GET', `/workspaces/${id(workspaceId)}/members`);
export const addMember = (workspaceId: string, email: string, role: Role) =>
  call<Member>('POST', `/workspaces/${id(workspaceId)}/members`, { json: { email, role } });
export const changeMember = (workspaceId: string, userId: string, role: Role) =>
  call<Member>('PATCH', `/workspaces/${id(workspaceId)}/members/${id(userId)}`, {
    json: { role },
  });
export const removeMember = (workspaceId: string, userId: string) =>
  call<void>('DELETE', `/workspaces/${id(workspaceId)}/members/${id(userId)}`);
export const listApiKeys = (workspaceId: string) =>
  call<{ items: ApiKey[] }>('GET', `/workspaces/${id(workspaceId)}/api-keys`);
export const createApiKey = (workspaceId: string, name: string, role: Role) =>
  call<ApiKey & { key: string }>('POST', `/workspaces/${id(workspaceId)}/api-keys`, {
    json: { name, role },
  });
export const revokeApiKey = (workspaceId: string, keyId: string) =>
  call<void>('DELETE', `/workspaces/${id(workspaceId)}/api-keys/${id(keyId)}`);
export const auditLog = (limit: number, before?: number) =>
  call<{ items: AuditEntry[]; nextBefore: number | null }>('GET', '/audit', {
    query: { limit, before },
  });

// ---- documents ----
export interface DocumentListQuery {
  status?: DocumentStatus;
  limit: number;
  offset: number;
}
export const listDocuments = (query: DocumentListQuery) =>
  call<Page<CairnDocument>>('GET', '/documents', { query: { ...query } });
export const getDocument = (documentId: string) =>
  call<CairnDocument>('GET', `/documents/${id(documentId)}`);
export const documentChunks = (documentId: string) =>
  call<{ documentId: string; language: string; chunks: Chunk[] }>(
    'GET',
    `/documents/${id(documentId)}/chunks`,
  );
export const deleteDocument = (documentId: string) =>
  call<DocumentAccepted>('DELETE', `/documents/${id(documentId)}`);
export const reprocessDocument = (documentId: string) =>
  call<DocumentAccepted>('POST', `/documents/${id(documentId)}/reprocess`);
export const retryDocument = (documentId: string) =>
  call<DocumentAccepted>('POST', `/documents/${id(documentId)}/retry`);

/** The original bytes, for a download link (the API needs the credential, a plain link has none). */
export async function documentContent(documentId: string): Promise<Blob> {
  const response = await fetch(`/documents/${id(documentId)}/content`, { headers: authHeaders() });
  noteUnauthenticated(response.status);
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

/** Yields each JSON event of an SSE endpoint until it ends or `signal` aborts; heartbeats skipped. */
export async function* eventStream<T>(path: string, signal: AbortSignal): AsyncGenerator<T> {
  const response = await fetch(path, {
    headers: { ...authHeaders(), accept: 'text/event-stream' },
    signal,
  });
  noteUnauthenticated(response.status);
  if (!response.ok || !response.body) throw await errorOf(response);
  for await (const message of readEventStream(response.body, signal)) {
    if (message.event !== 'message') continue;
    yield JSON.parse(message.data) as T;
  }
}

// ---- imports ----
export const listImports = (limit: number, offset: number) =>
  call<Page<ImportView>>('GET', '/imports', { query: { limit, offset } });
export const getImport = (importId: string) => call<ImportView>('GET', `/imports/${id(importId)}`);
export const retryImport = (importId: string) =>
  call<ImportView>('POST', `/imports/${id(importId)}/retry`);

// ---- search and graph ----
export const search = (request: SearchRequest, signal?: AbortSignal) =>
  call<SearchResponse>('POST', '/search', { json: request, signal });
export const searchEntities = (query: string, limit = 20) =>
  call<{ entities: EntitySummary[] }>('GET', '/entities', { query: { query, limit } });
export const getEntity = (entityId: string) =>
  call<EntityDetail>('GET', `/entities/${id(entityId)}`);
export const neighborhood = (entityId: string, hops = 1, limit = 200) =>
  call<Neighborhood>('GET', '/graph/neighborhood', { query: { entityId, hops, limit } });

// ---- domains ----
export const listDomains = (limit: number, offset: number) =>
  call<Page<Domain>>('GET', '/domains', { query: { limit, offset } });
export const getDomain = (domainId: string) =>
  call<DomainDetail>('GET', `/domains/${id(domainId)}`);
export const domainOverview = (domainId: string) =>
  call<DomainOverview>('GET', `/domains/${id(domainId)}/overview`);
export const createDomain = (request: CreateDomainRequest) =>
  call<{ domain: Domain; workflowId: string; temporalUiUrl: string }>('POST', '/domains', {
    json: request,
  });
export const reviewDomain = (domainId: string, decision: ReviewDecision, comment: string) =>
  call<{ decision: ReviewDecision; next: string }>('POST', `/domains/${id(domainId)}/review`, {
    json: { decision, comment },
  });
export const archiveDomain = (domainId: string) =>
  call<Domain>('DELETE', `/domains/${id(domainId)}`);
