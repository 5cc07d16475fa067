import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestWithId } from '../common/http/request-id';
import type { AuditEntry } from './audit.service';
import type { AuthenticatedRequest } from './principal';

export type AuditContext = Pick<AuditEntry, 'workspaceId' | 'actor' | 'requestId'>;

/** Who is acting, where, under which request id: the part of an audit entry a route knows. */
export const CurrentAuditContext = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuditContext => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & RequestWithId>();
    if (!request.workspaceId) throw new Error('the auth guard did not resolve a workspace here');
    return {
      workspaceId: request.workspaceId,
      actor: request.principal ?? null,
      requestId: request.requestId,
    };
  },
);
