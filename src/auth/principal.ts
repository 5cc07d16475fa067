import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { WorkspaceRole } from './roles';

/** Who is calling, and with which role in the workspace the request names. */
export interface Principal {
  /** Supabase Auth user id (the token's `sub`), or the id of the user who created the API key. */
  userId: string;
  email?: string;
  via: 'token' | 'apiKey';
  /** Set when the request names a workspace the caller belongs to. */
  role?: WorkspaceRole;
  apiKeyId?: string;
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  workspaceId?: string;
}

/** The caller of the current request; set by the auth guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('the auth guard did not run for this route');
  return request.principal;
});

export const REQUIRED_ROLE = 'cairn:required-role';
/** The least role a route needs in the request's workspace (viewer when absent). */
export const RequireRole = (role: WorkspaceRole) => SetMetadata(REQUIRED_ROLE, role);

export const PUBLIC_ROUTE = 'cairn:public-route';
/** Routes that need no credentials: health, metrics, docs. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export const NO_WORKSPACE = 'cairn:no-workspace';
/** Routes that act on the caller rather than on one workspace, e.g. GET/POST /workspaces. */
export const WithoutWorkspace = () => SetMetadata(NO_WORKSPACE, true);
