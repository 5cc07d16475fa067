import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { displayText } from '../common/display-text';
import { CairnError } from '../common/errors/cairn-error';
import { RESERVED_WORKSPACE_ID } from '../common/ids';
import type { RequestWithId } from '../common/http/request-id';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { issueApiKey } from './api-keys';
import { AuditService, type AuditEntry } from './audit.service';
import { AuthRepository } from './auth.repository';
import {
  type AuthenticatedRequest,
  CurrentPrincipal,
  type Principal,
  RequireRole,
  WithoutWorkspace,
} from './principal';
import { roleAtLeast, type WorkspaceRole } from './roles';
import {
  AddMemberDto,
  ApiKeyListDto,
  AuditPageDto,
  ChangedMemberDto,
  ChangeMemberDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CreatedWorkspaceDto,
  CreateWorkspaceDto,
  CurrentWorkspaceDto,
  InvitationDto,
  InvitationListDto,
  MemberListDto,
  WorkspaceListDto,
} from './workspaces.dto';

const workspaceName = displayText('name', 120);
const createWorkspaceSchema = z
  .object({
    name: workspaceName,
    // Optional readable id (a slug); a random one otherwise.
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'id: 3–63 lowercase letters, digits and dashes')
      .refine((id) => id !== RESERVED_WORKSPACE_ID, `id: ${RESERVED_WORKSPACE_ID} is reserved`)
      .optional(),
  })
  .strict();
const memberRole = z.enum(['owner', 'admin', 'editor', 'viewer']);
const addMemberSchema = z
  .object({ email: z.string().trim().email('email must be an e-mail address'), role: memberRole })
  .strict();
const changeMemberSchema = z.object({ role: memberRole }).strict();
const emailParam = z.string().trim().email('email must be an e-mail address');
const createKeySchema = z
  .object({
    name: displayText('name', 120),
    role: z.enum(['admin', 'editor', 'viewer']).default('viewer'),
  })
  .strict();
const userIdParam = z.string().uuid('userId must be a user id');
const keyIdParam = z.string().uuid('keyId must be a key id');
const auditQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'limit must be a whole number')
    .transform(Number)
    .pipe(z.number().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200'))
    .default('50'),
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'before must be an audit entry id')
    .transform(Number)
    .optional(),
});

type Request = AuthenticatedRequest & RequestWithId;

const auditContext = (request: Request) => ({
  actor: request.principal ?? null,
  requestId: request.requestId,
});

/** Only owners hand out or take away ownership; admins manage everyone below. */
function assertMayAssign(principal: Principal, role: WorkspaceRole): void {
  const needed: WorkspaceRole = role === 'owner' ? 'owner' : 'admin';
  if (!principal.role || !roleAtLeast(principal.role, needed)) {
    throw new CairnError('forbidden', `only an ${needed} can grant or change the ${role} role`);
  }
}

@ApiTags('workspaces')
@Controller()
export class WorkspacesController {
  constructor(
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
  ) {}

  @Post('workspaces')
  @WithoutWorkspace()
  @ApiOperation({ summary: 'Create a workspace; the caller becomes its owner' })
  @ApiBody({ type: CreateWorkspaceDto })
  @ApiCreatedResponse({ type: CreatedWorkspaceDto })
  async create(
    @Body(new ZodValidationPipe(createWorkspaceSchema))
    input: z.infer<typeof createWorkspaceSchema>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<CreatedWorkspaceDto> {
    if (principal.via !== 'token') {
      throw new CairnError(
        'forbidden',
        'API keys act within their workspace; sign in to create one',
      );
    }
    const id = input.id ?? randomUUID();
    const created = await this.repository.createWorkspace(id, input.name, principal.userId, {
      workspaceId: id,
      ...auditContext(request),
      action: 'workspace.created',
      targetType: 'workspace',
      targetId: id,
      details: { name: input.name },
    });
    if (!created) throw new CairnError('conflict', `workspace id ${id} is taken`);
    return { id, name: input.name, role: 'owner' };
  }

  @Get('workspaces')
  @WithoutWorkspace()
  @ApiOperation({ summary: "The caller's workspaces and role in each" })
  @ApiOkResponse({ type: WorkspaceListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<WorkspaceListDto> {
    if (principal.via !== 'token') {
      throw new CairnError(
        'forbidden',
        'an API key belongs to one workspace; sign in to list yours',
      );
    }
    return { items: await this.repository.workspacesOf(principal.userId) };
  }

  @Get('workspaces/current')
  @ApiOperation({
    summary: "The workspace this request acts in and the caller's role there",
    description:
      "The workspace of X-Workspace-Id, or an API key's own: lets a console signed in with a key learn where it is and what it may do.",
  })
  @ApiOkResponse({ type: CurrentWorkspaceDto })
  async current(@Req() request: Request): Promise<CurrentWorkspaceDto> {
    const principal = request.principal!;
    const workspaceId = request.workspaceId!;
    const name = await this.repository.workspaceName(workspaceId);
    if (name === null) throw new CairnError('not_found', `workspace ${workspaceId} not found`);
    return {
      workspaceId,
      name,
      role: principal.role!,
      via: principal.via,
      userId: principal.via === 'token' ? principal.userId : null,
      ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
    };
  }

  @Get('workspaces/:workspaceId/members')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Members of the workspace with their roles' })
  @ApiOkResponse({ type: MemberListDto })
  async members(@Param('workspaceId') workspaceId: string): Promise<MemberListDto> {
    return { items: await this.repository.members(workspaceId) };
  }

  @Post('workspaces/:workspaceId/members')
  @RequireRole('admin')
  @ApiOperation({
    summary:
      'Invite an e-mail address; it becomes a member only once it accepts (POST /invitations/:workspaceId/accept)',
    description:
      'The same answer whether or not the address has an account. Inviting it again replaces the role; 409 when it already belongs to a member.',
  })
  @ApiBody({ type: AddMemberDto })
  @ApiCreatedResponse({ type: InvitationDto })
  async addMember(
    @Param('workspaceId') workspaceId: string,
    @Body(new ZodValidationPipe(addMemberSchema)) input: z.infer<typeof addMemberSchema>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<InvitationDto> {
    assertMayAssign(principal, input.role);
    const email = input.email.toLowerCase();
    const outcome = await this.repository.invite(workspaceId, email, input.role, principal.userId, {
      workspaceId,
      ...auditContext(request),
      action: 'member.invited',
      targetType: 'invitation',
      targetId: email,
      details: { email, role: input.role },
    });
    if (outcome === 'member') throw new CairnError('conflict', `${email} is already a member`);
    return { workspaceId, email, role: input.role, status: 'pending' };
  }

  @Get('workspaces/:workspaceId/invitations')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Invitations to the workspace not yet accepted or declined' })
  @ApiOkResponse({ type: InvitationListDto })
  async invitations(@Param('workspaceId') workspaceId: string): Promise<InvitationListDto> {
    const items = await this.repository.invitationsTo(workspaceId);
    return {
      items: items.map((item) => ({
        workspaceId: item.workspaceId,
        email: item.email,
        role: item.role,
        status: 'pending' as const,
        invitedBy: item.invitedBy,
        createdAt: item.createdAt,
      })),
    };
  }

  @Delete('workspaces/:workspaceId/invitations/:email')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw an invitation' })
  async withdrawInvitation(
    @Param('workspaceId') workspaceId: string,
    @Param('email', new ZodValidationPipe(emailParam)) email: string,
    @Req() request: Request,
  ): Promise<void> {
    const withdrawn = await this.repository.removeInvitation(workspaceId, email, {
      workspaceId,
      ...auditContext(request),
      action: 'invitation.withdrawn',
      targetType: 'invitation',
      targetId: email.toLowerCase(),
    });
    if (!withdrawn) throw new CairnError('not_found', `no pending invitation for ${email}`);
  }

  @Patch('workspaces/:workspaceId/members/:userId')
  @RequireRole('admin')
  @ApiOperation({ summary: "Change a member's role" })
  @ApiBody({ type: ChangeMemberDto })
  @ApiOkResponse({ type: ChangedMemberDto })
  async changeMember(
    @Param('workspaceId') workspaceId: string,
    @Param('userId', new ZodValidationPipe(userIdParam)) userId: string,
    @Body(new ZodValidationPipe(changeMemberSchema)) input: z.infer<typeof changeMemberSchema>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<ChangedMemberDto> {
    const current = await this.repository.roleOf(userId, workspaceId);
    if (!current) throw new CairnError('not_found', `member ${userId} not found`);
    assertMayAssign(principal, current);
    assertMayAssign(principal, input.role);
    await this.applyMemberChange(workspaceId, userId, input.role, {
      workspaceId,
      ...auditContext(request),
      action: 'member.role_changed',
      targetType: 'user',
      targetId: userId,
      details: { from: current, to: input.role },
    });
    return { userId, role: input.role };
  }

  @Delete('workspaces/:workspaceId/members/:userId')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member' })
  @ApiNoContentResponse({ description: 'Removed' })
  async removeMember(
    @Param('workspaceId') workspaceId: string,
    @Param('userId', new ZodValidationPipe(userIdParam)) userId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<void> {
    const current = await this.repository.roleOf(userId, workspaceId);
    if (!current) throw new CairnError('not_found', `member ${userId} not found`);
    assertMayAssign(principal, current);
    await this.applyMemberChange(workspaceId, userId, null, {
      workspaceId,
      ...auditContext(request),
      action: 'member.removed',
      targetType: 'user',
      targetId: userId,
      details: { role: current },
    });
  }

  @Post('workspaces/:workspaceId/api-keys')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Create an API key; the key is shown in this answer only' })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async createKey(
    @Param('workspaceId') workspaceId: string,
    @Body(new ZodValidationPipe(createKeySchema)) input: z.infer<typeof createKeySchema>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<CreatedApiKeyDto> {
    assertMayAssign(principal, input.role);
    const issued = issueApiKey();
    const record = await this.repository.insertApiKey(
      {
        id: issued.id,
        workspaceId,
        name: input.name,
        role: input.role,
        secretHash: issued.secretHash,
        createdBy: principal.userId,
      },
      {
        workspaceId,
        ...auditContext(request),
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: issued.id,
        details: { name: input.name, role: input.role },
      },
    );
    return { ...record, key: issued.key };
  }

  @Get('workspaces/:workspaceId/api-keys')
  @RequireRole('admin')
  @ApiOperation({ summary: "The workspace's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyListDto })
  async keys(@Param('workspaceId') workspaceId: string): Promise<ApiKeyListDto> {
    return { items: await this.repository.apiKeys(workspaceId) };
  }

  @Delete('workspaces/:workspaceId/api-keys/:keyId')
  @RequireRole('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiNoContentResponse({ description: 'Revoked' })
  async revokeKey(
    @Param('workspaceId') workspaceId: string,
    @Param('keyId', new ZodValidationPipe(keyIdParam)) keyId: string,
    @Req() request: Request,
  ): Promise<void> {
    const revoked = await this.repository.revokeApiKey(workspaceId, keyId, {
      workspaceId,
      ...auditContext(request),
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: keyId,
    });
    if (!revoked) throw new CairnError('not_found', `API key ${keyId} not found`);
  }

  @Get('audit')
  @RequireRole('admin')
  @ApiOperation({ summary: "The workspace's audit log, newest first (cursor: ?before=<id>)" })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  })
  @ApiQuery({ name: 'before', required: false, schema: { type: 'integer', minimum: 1 } })
  async auditLog(
    @Req() request: Request,
    @Query(new ZodValidationPipe(auditQuerySchema)) query: z.infer<typeof auditQuerySchema>,
  ): Promise<AuditPageDto> {
    return this.audit.list(request.workspaceId!, query);
  }

  private async applyMemberChange(
    workspaceId: string,
    userId: string,
    role: WorkspaceRole | null,
    audit: AuditEntry,
  ): Promise<void> {
    const outcome = await this.repository.changeMember(workspaceId, userId, role, audit);
    if (outcome === 'not_found') throw new CairnError('not_found', `member ${userId} not found`);
    if (outcome === 'last_owner') {
      throw new CairnError('conflict', 'a workspace keeps at least one owner');
    }
  }
}
