import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CairnError } from '../common/errors/cairn-error';
import type { RequestWithId } from '../common/http/request-id';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { AuthRepository } from './auth.repository';
import {
  type AuthenticatedRequest,
  CurrentPrincipal,
  type Principal,
  WithoutWorkspace,
} from './principal';
import { AcceptedInvitationDto, MyInvitationListDto } from './workspaces.dto';

const workspaceIdParam = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'workspaceId must be a workspace id');

/** The signed-in user's e-mail address, which invitations are addressed to. */
function invitee(principal: Principal): { userId: string; email: string } {
  if (principal.via !== 'token') {
    throw new CairnError('forbidden', 'invitations are for people; sign in to see yours');
  }
  if (!principal.email) {
    throw new CairnError('forbidden', 'your access token carries no e-mail address');
  }
  return { userId: principal.userId, email: principal.email };
}

/**
 * The invitee's side of invitations: nothing of a workspace is visible to an invited address
 * until its owner accepts, and declining leaves no trace but the audit entry.
 */
@ApiTags('workspaces')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly repository: AuthRepository) {}

  @Get()
  @WithoutWorkspace()
  @ApiOperation({ summary: "The caller's pending invitations (by the e-mail of their token)" })
  @ApiOkResponse({ type: MyInvitationListDto })
  async mine(@CurrentPrincipal() principal: Principal): Promise<MyInvitationListDto> {
    const { email } = invitee(principal);
    const items = await this.repository.invitationsFor(email);
    return { items: items.map((item) => ({ ...item, status: 'pending' as const })) };
  }

  @Post(':workspaceId/accept')
  @WithoutWorkspace()
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation: the caller becomes a member with its role' })
  @ApiOkResponse({ type: AcceptedInvitationDto })
  async accept(
    @Param('workspaceId', new ZodValidationPipe(workspaceIdParam)) workspaceId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest & RequestWithId,
  ): Promise<AcceptedInvitationDto> {
    const { userId, email } = invitee(principal);
    const accepted = await this.repository.acceptInvitation(
      workspaceId,
      email,
      userId,
      (invitation) => ({
        workspaceId,
        actor: principal,
        requestId: request.requestId,
        action: 'member.added',
        targetType: 'user',
        targetId: userId,
        details: { email, role: invitation.role, invitedBy: invitation.invitedBy },
      }),
    );
    if (!accepted) throw new CairnError('not_found', `no pending invitation to ${workspaceId}`);
    return { workspaceId, name: accepted.workspaceName, role: accepted.role };
  }

  @Post(':workspaceId/decline')
  @WithoutWorkspace()
  @HttpCode(204)
  @ApiOperation({ summary: 'Decline an invitation' })
  @ApiNoContentResponse()
  async decline(
    @Param('workspaceId', new ZodValidationPipe(workspaceIdParam)) workspaceId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest & RequestWithId,
  ): Promise<void> {
    const { email } = invitee(principal);
    const declined = await this.repository.removeInvitation(workspaceId, email, {
      workspaceId,
      actor: principal,
      requestId: request.requestId,
      action: 'invitation.declined',
      targetType: 'invitation',
      targetId: email.toLowerCase(),
    });
    if (!declined) throw new CairnError('not_found', `no pending invitation to ${workspaceId}`);
  }
}
