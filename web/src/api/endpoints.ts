// Every API call the console makes, one small function each, over the typed client generated
// from the API's OpenAPI document (client/): paths, parameters and answers are checked by tsc.
import { readJsonEvents, unwrap } from '../../../client';
import {
  type DocumentEvent,
  followDocument,
  followImport,
  type ImportEvent,
} from '../../../client/follow';
import { api } from './client';
import type {
  CreateDomainRequest,
  DocumentStatus,
  ReviewDecision,
  Role,
  SearchRequest,
} from './types';

// ---- console and operators ----
export const consoleConfig = async () => unwrap(await api.GET('/console/config'));
/** Answers 503 with the same report when a dependency is down: both are shown. */
export async function readiness() {
  const { data, error, response } = await api.GET('/health/ready');
  if (response.status === 503 && error) return error as NonNullable<typeof data>;
  return unwrap({ data, error, response });
}

/** Whether the signed-in person is an operator (alerts and traces span every workspace). */
export const operatorStatus = async () => unwrap(await api.GET('/operator/me'));
export const listAlerts = async () => unwrap(await api.GET('/operator/alerts'));
export const getTrace = async (traceId: string) =>
  unwrap(await api.GET('/operator/traces/{traceId}', { params: { path: { traceId } } }));
export const tracesOfWorkflow = async (workflowId: string) =>
  unwrap(await api.GET('/operator/traces', { params: { query: { workflowId, limit: 20 } } }));

export type OperatorAlert = Awaited<ReturnType<typeof listAlerts>>['items'][number];
export interface OperatorAlertEvent {
  type: 'alert';
  change: 'new' | 'repeat' | 'resolved';
  alert: OperatorAlert;
}

/**
 * Hands every alert recorded from now on to `onEvent` until `signal` aborts; a stream that
 * closes (an API restart, a proxy's idle timeout) is opened again, and `onOpen` runs each time so
 * the caller can re-read the list for what it missed in between.
 */
export async function followAlerts(
  onEvent: (event: OperatorAlertEvent) => void,
  onOpen: () => void,
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const result = await api.GET('/operator/alerts/events', { parseAs: 'stream', signal });
      unwrap(result);
      onOpen();
      attempt = 0;
      for await (const message of readJsonEvents<OperatorAlertEvent>(result.response)) {
        if (message.data?.type === 'alert') onEvent(message.data);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (attempt >= 5) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * (attempt + 1), 5000)));
  }
}

// ---- workspaces ----
export const currentWorkspace = async () => unwrap(await api.GET('/workspaces/current'));
export const listWorkspaces = async () => unwrap(await api.GET('/workspaces'));
export const createWorkspace = async (name: string) =>
  unwrap(await api.POST('/workspaces', { body: { name } }));
export const listMembers = async (workspaceId: string) =>
  unwrap(await api.GET('/workspaces/{workspaceId}/members', { params: { path: { workspaceId } } }));
export const addMember = async (workspaceId: string, email: string, role: Role) =>
  unwrap(
    await api.POST('/workspaces/{workspaceId}/members', {
      params: { path: { workspaceId } },
      body: { email, role },
    }),
  );
export const changeMember = async (workspaceId: string, userId: string, role: Role) =>
  unwrap(
    await api.PATCH('/workspaces/{workspaceId}/members/{userId}', {
      params: { path: { workspaceId, userId } },
      body: { role },
    }),
  );
export const removeMember = async (workspaceId: string, userId: string) =>
  unwrap(
    await api.DELETE('/workspaces/{workspaceId}/members/{userId}', {
      params: { path: { workspaceId, userId } },
    }),
  );
export const listInvitationsTo = async (workspaceId: string) =>
  unwrap(
    await api.GET('/workspaces/{workspaceId}/invitations', { params: { path: { workspaceId } } }),
  );
export const withdrawInvitation = async (workspaceId: string, email: string) =>
  unwrap(
    await api.DELETE('/workspaces/{workspaceId}/invitations/{email}', {
      params: { path: { workspaceId, email } },
    }),
  );
export const myInvitations = async () => unwrap(await api.GET('/invitations'));
export const acceptInvitation = async (workspaceId: string) =>
  unwrap(
    await api.POST('/invitations/{workspaceId}/accept', { params: { path: { workspaceId } } }),
  );
export const declineInvitation = async (workspaceId: string) =>
  unwrap(
    await api.POST('/invitations/{workspaceId}/decline', { params: { path: { workspaceId } } }),
  );
export const listApiKeys = async (workspaceId: string) =>
  unwrap(
    await api.GET('/workspaces/{workspaceId}/api-keys', { params: { path: { workspaceId } } }),
  );
export const createApiKey = async (
  workspaceId: string,
  name: string,
  role: 'viewer' | 'editor' | 'admin',
) =>
  unwrap(
    await api.POST('/workspaces/{workspaceId}/api-keys', {
      params: { path: { workspaceId } },
      body: { name, role },
    }),
  );
export const revokeApiKey = async (workspaceId: string, keyId: string) =>
  unwrap(
    await api.DELETE('/workspaces/{workspaceId}/api-keys/{keyId}', {
      params: { path: { workspaceId, keyId } },
    }),
  );
export const auditLog = async (limit: number, before?: number) =>
  unwrap(await api.GET('/audit', { params: { query: { limit, before } } }));

// ---- documents ----
export interface DocumentListQuery {
  status?: DocumentStatus;
  limit: number;
  offset: number;
}
export const listDocuments = async (query: DocumentListQuery) =>
  unwrap(await api.GET('/documents', { params: { query } }));
export const getDocument = async (id: string) =>
  unwrap(await api.GET('/documents/{id}', { params: { path: { id } } }));
export const documentChunks = async (id: string) =>
  unwrap(await api.GET('/documents/{id}/chunks', { params: { path: { id } } }));
export const deleteDocument = async (id: string) =>
  unwrap(await api.DELETE('/documents/{id}', { params: { path: { id } } }));
export const reprocessDocument = async (id: string) =>
  unwrap(await api.POST('/documents/{id}/reprocess', { params: { path: { id } } }));
export const retryDocument = async (id: string) =>
  unwrap(await api.POST('/documents/{id}/retry', { params: { path: { id } } }));

/** The original bytes, for a download (the API needs the credential, so no plain link). */
export async function documentContent(id: string): Promise<Blob> {
  return unwrap<Blob>(
    await api.GET('/documents/{id}/content', { params: { path: { id } }, parseAs: 'blob' }),
  );
}

/**
 * Follows a document's event stream until it is indexed, failed or deleted, reopening a stream
 * that closed early (the API starts each with the current state, so nothing is missed).
 */
export const followDocumentEvents = (
  id: string,
  onEvent: (event: DocumentEvent) => void,
  signal: AbortSignal,
) => followDocument(api, id, { onEvent, signal });

// ---- imports ----
export const listImports = async (limit: number, offset: number) =>
  unwrap(await api.GET('/imports', { params: { query: { limit, offset } } }));
export const retryImport = async (id: string) =>
  unwrap(await api.POST('/imports/{id}/retry', { params: { path: { id }, query: {} } }));

/** Follows an import's event stream until it completes or fails (reopened when closed early). */
export const followImportEvents = (
  id: string,
  onEvent: (event: ImportEvent) => void,
  signal: AbortSignal,
) => followImport(api, id, { onEvent, signal });

// ---- search and graph ----
/** The answer, and the request's trace: its id (X-Trace-Id) and its page (X-Trace-Url). */
export const search = async (request: SearchRequest, signal?: AbortSignal) => {
  const result = await api.POST('/search', {
    body: { includeInactive: false, ...request },
    signal,
  });
  return {
    ...unwrap(result),
    traceId: result.response.headers.get('x-trace-id'),
    traceUrl: result.response.headers.get('x-trace-url'),
  };
};
export const searchEntities = async (query: string, limit = 20) =>
  unwrap(await api.GET('/entities', { params: { query: { query, limit } } }));
export const getEntity = async (id: string) =>
  unwrap(await api.GET('/entities/{id}', { params: { path: { id } } }));
export const neighborhood = async (entityId: string, hops = 1, limit = 200) =>
  unwrap(await api.GET('/graph/neighborhood', { params: { query: { entityId, hops, limit } } }));

// ---- domains ----
export const listDomains = async (limit: number, offset: number) =>
  unwrap(await api.GET('/domains', { params: { query: { limit, offset } } }));
export const getDomain = async (id: string) =>
  unwrap(await api.GET('/domains/{id}', { params: { path: { id } } }));
export const domainOverview = async (id: string) =>
  unwrap(await api.GET('/domains/{id}/overview', { params: { path: { id } } }));
export const createDomain = async (request: CreateDomainRequest) =>
  unwrap(await api.POST('/domains', { body: request }));
export const reviewDomain = async (id: string, decision: ReviewDecision, comment: string) =>
  unwrap(
    await api.POST('/domains/{id}/review', {
      params: { path: { id } },
      body: { decision, comment },
    }),
  );
export const archiveDomain = async (id: string) =>
  unwrap(await api.DELETE('/domains/{id}', { params: { path: { id } } }));
