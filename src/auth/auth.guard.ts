import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { CairnError } from '../common/errors/cairn-error';
import { AuthService } from './auth.service';
import { type AuthenticatedRequest, NO_WORKSPACE, PUBLIC_ROUTE, REQUIRED_ROLE } from './principal';
import { roleAtLeast, type WorkspaceRole } from './roles';

export const WORKSPACE_HEADER = 'x-workspace-id';
const WORKSPACE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Every route needs credentials unless marked @Public(). A workspace-scoped route also needs the
 * caller to belong to the workspace it names (path `:workspaceId`, else the X-Workspace-Id header,
 * else an API key's own workspace): a workspace the caller is not in answers 404, as if it did not
 * exist, and a role below the route's @RequireRole answers 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let caller;
    try {
      caller = await this.auth.authenticate(request.headers);
    } catch (error) {
      if (error instanceof CairnError && error.code === 'unauthenticated') {
        context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
      }
      throw error;
    }
    request.principal = {
      userId: caller.userId,
      email: caller.email,
      via: caller.via,
      apiKeyId: caller.apiKeyId,
    };
    if (this.reflector.getAllAndOverride<boolean>(NO_WORKSPACE, targets)) return true;

    const workspaceId = this.workspaceNamed(request) ?? caller.keyWorkspaceId;
    if (!workspaceId) {
      throw new CairnError(
        'invalid_input',
        'name the workspace with the X-Workspace-Id header (GET /workspaces lists yours)',
      );
    }
    const role = WORKSPACE_ID.test(workspaceId)
      ? await this.auth.roleIn(caller, workspaceId)
      : null;
    if (!role) throw new CairnError('not_found', `workspace ${workspaceId} not found`);

    const required =
      this.reflector.getAllAndOverride<WorkspaceRole | undefined>(REQUIRED_ROLE, targets) ??
      'viewer';
    if (!roleAtLeast(role, required)) {
      throw new CairnError('forbidden', `this needs the ${required} role in the workspace`);
    }
    request.workspaceId = workspaceId;
    request.principal.role = role;
    return true;
  }

  private workspaceNamed(request: AuthenticatedRequest): string | undefined {
    const fromPath = (request.params as Record<string, string | undefined>).workspaceId;
    if (fromPath) return fromPath;
    const header = request.headers[WORKSPACE_HEADER];
    return typeof header === 'string' && header ? header : undefined;
  }
}
