import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import type { AuthenticatedRequest } from '../auth/principal';

/** Until authentication lands, every request acts in the configured default workspace. */
@Injectable()
export class WorkspaceMiddleware implements NestMiddleware {
  constructor(@InjectConfig() private readonly config: CairnConfig) {}

  use(request: AuthenticatedRequest, _response: Response, next: NextFunction): void {
    request.workspaceId = this.config.CAIRN_DEFAULT_WORKSPACE;
    request.principal = { userId: 'default', via: 'token', role: 'owner' };
    next();
  }
}
