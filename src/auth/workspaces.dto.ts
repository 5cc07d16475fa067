import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WORKSPACE_ROLES, type WorkspaceRole } from './roles';

// Request and response shapes of the workspace API, as classes so that Swagger can describe them
// (the requests themselves are validated by the zod schemas in the controller).

const ASSIGNABLE_KEY_ROLES = ['admin', 'editor', 'viewer'] as const;

export class CreateWorkspaceDto {
  @ApiProperty({ minLength: 1, maxLength: 120 }) name!: string;
  @ApiPropertyOptional({
    pattern: '^[a-z0-9][a-z0-9-]{2,62}$',
    description: 'A readable id (slug); a random one when absent',
  })
  id?: string;
}

export class CreatedWorkspaceDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['owner'] }) role!: 'owner';
}

export class WorkspaceMembershipDto {
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WorkspaceListDto {
  @ApiProperty({ type: [WorkspaceMembershipDto] }) items!: WorkspaceMembershipDto[];
}

export class MemberDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ nullable: true, type: String }) email!: string | null;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class MemberListDto {
  @ApiProperty({ type: [MemberDto] }) items!: MemberDto[];
}

export class AddMemberDto {
  @ApiProperty({ format: 'email' }) email!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
}

/** An invitation: pending until the invitee accepts or declines it. */
export class InvitationDto {
  @ApiProperty() workspaceId!: string;
  @ApiProperty({ description: 'The invited address, lowercased' }) email!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
  @ApiProperty({ enum: ['pending'] }) status!: 'pending';
}

export class PendingInvitationDto extends InvitationDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) invitedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class InvitationListDto {
  @ApiProperty({ type: [PendingInvitationDto] }) items!: PendingInvitationDto[];
}

/** One of the caller's own invitations, with the workspace's name. */
export class MyInvitationDto extends PendingInvitationDto {
  @ApiProperty() workspaceName!: string;
}

export class MyInvitationListDto {
  @ApiProperty({ type: [MyInvitationDto] }) items!: MyInvitationDto[];
}

export class AcceptedInvitationDto {
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
}

export class ChangeMemberDto {
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
}

export class ChangedMemberDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
}

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 120 }) name!: string;
  @ApiPropertyOptional({ enum: ASSIGNABLE_KEY_ROLES, default: 'viewer' })
  role?: (typeof ASSIGNABLE_KEY_ROLES)[number];
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES }) role!: WorkspaceRole;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The secret (ck_…): shown in this answer only, never again' })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}

export class AuditActorDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) apiKeyId!: string | null;
}

export class AuditEntryDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'api_key.created' }) action!: string;
  @ApiProperty({ type: AuditActorDto }) actor!: AuditActorDto;
  @ApiProperty({ example: 'api_key' }) targetType!: string;
  @ApiProperty({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items!: AuditEntryDto[];
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Pass as ?before= for the next (older) page; null on the last page',
  })
  nextBefore!: number | null;
}

export class CurrentWorkspaceDto {
  @ApiProperty() workspaceId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: WORKSPACE_ROLES, description: "The caller's role (an API key's own)" })
  role!: WorkspaceRole;
  @ApiProperty({ enum: ['token', 'apiKey'] }) via!: 'token' | 'apiKey';
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The signed-in user; null for an API key',
  })
  userId!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'The API key, when one is used' })
  apiKeyId?: string;
}
