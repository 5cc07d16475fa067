import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export interface WorkspaceScopedRequest extends Request {
  workspaceId?: string;
}

/**
 * The workspace a request acts in. Until authentication lands it is the configured default
 * workspace (set by WorkspaceMiddleware), but every store call already takes it explicitly.
 */
export const CurrentWorkspace = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<WorkspaceScopedRequest>();
  if (!request.workspaceId) throw new Error('WorkspaceMiddleware did not run for this route');
  return request.workspaceId;
});
