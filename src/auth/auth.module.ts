import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdmissionGuard } from './admission.guard';
import { AuditService } from './audit.service';
import { AuthGuard } from './auth.guard';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { EventStreamQuota } from './event-stream-quota';
import { InvitationsController } from './invitations.controller';
import { OperatorController } from './operator.controller';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimiter } from './rate-limiter';
import { WorkspacesController } from './workspaces.controller';

/** Authentication, workspace membership and roles, rate limits and the audit log, for every route. */
@Global()
@Module({
  controllers: [WorkspacesController, InvitationsController, OperatorController],
  providers: [
    AuthRepository,
    AuthService,
    AuditService,
    EventStreamQuota,
    RateLimiter,
    // Guards run in this order: who is calling, whether this process has room for the request
    // (a shed request spends no budget), then whether the caller's budget allows it.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: AdmissionGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [AuditService, AuthService, AuthRepository, EventStreamQuota],
})
export class AuthModule {}
