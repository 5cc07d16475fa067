import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from '../auth/principal';

/**
 * The workspace a request acts in: the one it named (path or X-Workspace-Id header, or an API
 * key's own), after the auth guard checked the caller's membership and role there.
 */
export const CurrentWorkspace = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.workspaceId) throw new Error('the auth guard did not resolve a workspace here');
  return request.workspaceId;
});
