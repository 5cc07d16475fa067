import { Injectable } from '@nestjs/common';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { writeAuditEntry, type AuditEntry } from './audit.service';
import { WORKSPACE_ROLES, type WorkspaceRole } from './roles';

export interface WorkspaceMembership {
  workspaceId: string;
  name: string;
  role: WorkspaceRole;
  createdAt: string;
}

export interface MemberRecord {
  userId: string;
  email: string | null;
  role: WorkspaceRole;
  createdAt: string;
}

export interface InvitationRecord {
  workspaceId: string;
  /** The workspace's name, for the invitee's list. */
  workspaceName: string;
  email: string;
  role: WorkspaceRole;
  invitedBy: string | null;
  createdAt: string;
}

interface InvitationRow {
  workspace_id: string;
  workspace_name: string;
  email: string;
  role: WorkspaceRole;
  invited_by: string | null;
  created_at: Date;
}

const toInvitation = (row: InvitationRow): InvitationRecord => ({
  workspaceId: row.workspace_id,
  workspaceName: row.workspace_name,
  email: row.email,
  role: row.role,
  invitedBy: row.invited_by,
  createdAt: row.created_at.toISOString(),
});

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  role: WorkspaceRole;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  workspace_id: string;
  name: string;
  role: WorkspaceRole;
  secret_hash: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toApiKey = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  workspaceId: row.workspace_id,
  name: row.name,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

/**
 * Users, workspaces, memberships, invitations and API keys: the data access control is decided
 * on. Row-level security applies to them as to every workspace's table (migration 0006): a
 * statement about one workspace runs scoped to it; the few questions asked before a request's
 * workspace is known (a key by id, a user's workspaces, an address's invitations, recording a
 * signed-in user) go through SECURITY DEFINER functions that answer exactly that question.
 */
@Injectable()
export class AuthRepository {
  constructor(private readonly postgres: PostgresStore) {}

  /** Records a user Supabase Auth vouched for; keeps the e-mail current. */
  /**
   * Records a user seen in a token. An e-mail address belongs to one account: when the auth
   * server re-creates an account (a new id for an address already seen), the address moves to
   * the new id and the old row keeps its memberships without it.
   */
  async upsertUser(userId: string, email: string | undefined): Promise<void> {
    await this.postgres.query('SELECT cairn_record_user($1, $2)', [userId, email ?? null]);
  }

  /** Those of the user ids that are members of the workspace. */
  async memberIdsAmong(workspaceId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.postgres.queryInWorkspace<{ user_id: string }>(
      workspaceId,
      'SELECT user_id FROM workspace_members WHERE workspace_id = $1 AND user_id = ANY($2::uuid[])',
      [workspaceId, userIds],
    );
    return rows.map((row) => row.user_id);
  }

  async roleOf(userId: string, workspaceId: string): Promise<WorkspaceRole | null> {
    const rows = await this.postgres.queryInWorkspace<{ role: WorkspaceRole }>(
      workspaceId,
      'SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2',
      [workspaceId, userId],
    );
    return rows[0]?.role ?? null;
  }

  /** Creates the workspace with its creator as owner; false when the id is taken. */
  async createWorkspace(
    id: string,
    name: string,
    ownerId: string,
    audit: AuditEntry | null,
  ): Promise<boolean> {
    return this.postgres.withWorkspace(id, async (client) => {
      const created = await client.query(
        `INSERT INTO workspaces (id, name, created_by) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [id, name, ownerId],
      );
      if (created.rowCount === 0) return false;
      await client.query(
        `INSERT INTO workspace_members (workspace_id, user_id, role, added_by) VALUES ($1, $2, 'owner', $2)`,
        [id, ownerId],
      );
      if (audit) await writeAuditEntry(client, audit);
      return true;
    });
  }

  async workspacesOf(userId: string): Promise<WorkspaceMembership[]> {
    const rows = await this.postgres.query<{
      id: string;
      name: string;
      role: WorkspaceRole;
      created_at: Date;
    }>('SELECT * FROM cairn_workspaces_of($1)', [userId]);
    return rows.map((row) => ({
      workspaceId: row.id,
      name: row.name,
      role: row.role,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async workspaceName(workspaceId: string): Promise<string | null> {
    const rows = await this.postgres.queryInWorkspace<{ name: string }>(
      workspaceId,
      'SELECT name FROM workspaces WHERE id = $1',
      [workspaceId],
    );
    return rows[0]?.name ?? null;
  }

  async members(workspaceId: string): Promise<MemberRecord[]> {
    const rows = await this.postgres.queryInWorkspace<{
      user_id: string;
      email: string | null;
      role: WorkspaceRole;
      created_at: Date;
    }>(
      workspaceId,
      `SELECT m.user_id, u.email, m.role, m.created_at FROM workspace_members m
       JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.created_at, m.user_id`,
      [workspaceId],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      email: row.email,
      role: row.role,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /**
   * Invites an e-mail address (an existing invitation takes the new role); 'member' when the
   * address already belongs to a member. Whether the address has an account is not looked at.
   */
  async invite(
    workspaceId: string,
    email: string,
    role: WorkspaceRole,
    invitedBy: string,
    audit: AuditEntry,
  ): Promise<'invited' | 'member'> {
    const normalized = email.toLowerCase();
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const member = await client.query(
        `SELECT 1 FROM workspace_members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = $1 AND lower(u.email) = $2`,
        [workspaceId, normalized],
      );
      if ((member.rowCount ?? 0) > 0) return 'member';
      await client.query(
        `INSERT INTO workspace_invitations (workspace_id, email, role, invited_by)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, email)
         DO UPDATE SET role = EXCLUDED.role, invited_by = EXCLUDED.invited_by, created_at = now()`,
        [workspaceId, normalized, role, invitedBy],
      );
      await writeAuditEntry(client, audit);
      return 'invited';
    });
  }

  /** Pending invitations of one address, oldest first. */
  async invitationsFor(email: string): Promise<InvitationRecord[]> {
    const rows = await this.postgres.query<InvitationRow>(
      'SELECT * FROM cairn_invitations_for($1)',
      [email],
    );
    return rows.map(toInvitation);
  }

  /** Pending invitations to one workspace, oldest first. */
  async invitationsTo(workspaceId: string): Promise<InvitationRecord[]> {
    const rows = await this.postgres.queryInWorkspace<InvitationRow>(
      workspaceId,
      `SELECT i.*, w.name AS workspace_name FROM workspace_invitations i
       JOIN workspaces w ON w.id = i.workspace_id
       WHERE i.workspace_id = $1 ORDER BY i.created_at, i.email`,
      [workspaceId],
    );
    return rows.map(toInvitation);
  }

  /**
   * Turns the address's invitation into a membership of the user, in one step; null when there
   * is no such invitation. An existing membership is kept as it is.
   */
  async acceptInvitation(
    workspaceId: string,
    email: string,
    userId: string,
    audit: (invitation: InvitationRecord) => AuditEntry,
  ): Promise<InvitationRecord | null> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const taken = await client.query<InvitationRow>(
        `DELETE FROM workspace_invitations i USING workspaces w
         WHERE i.workspace_id = $1 AND i.email = lower($2) AND w.id = i.workspace_id
         RETURNING i.*, w.name AS workspace_name`,
        [workspaceId, email],
      );
      const invitation = taken.rows[0];
      if (!invitation) return null;
      await client.query(
        `INSERT INTO workspace_members (workspace_id, user_id, role, added_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [workspaceId, userId, invitation.role, invitation.invited_by],
      );
      const accepted = toInvitation(invitation);
      await writeAuditEntry(client, audit(accepted));
      return accepted;
    });
  }

  /** Removes an invitation (declined by the invitee or withdrawn by an admin); false when none. */
  async removeInvitation(workspaceId: string, email: string, audit: AuditEntry): Promise<boolean> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const removed = await client.query(
        `DELETE FROM workspace_invitations WHERE workspace_id = $1 AND email = lower($2)
         RETURNING email`,
        [workspaceId, email],
      );
      if (removed.rowCount === 0) return false;
      await writeAuditEntry(client, audit);
      return true;
    });
  }

  /**
   * Changes a member's role, or removes the member (role null). Refuses (returns 'last_owner')
   * to leave the workspace without an owner; the row lock serialises concurrent changes.
   */
  async changeMember(
    workspaceId: string,
    userId: string,
    role: WorkspaceRole | null,
    audit: AuditEntry,
  ): Promise<'changed' | 'not_found' | 'last_owner'> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const owners = await client.query<{ user_id: string }>(
        `SELECT user_id FROM workspace_members WHERE workspace_id = $1 AND role = 'owner' FOR UPDATE`,
        [workspaceId],
      );
      const current = await client.query<{ role: WorkspaceRole }>(
        'SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2 FOR UPDATE',
        [workspaceId, userId],
      );
      if (current.rowCount === 0) return 'not_found';
      const losesOwner = current.rows[0].role === 'owner' && role !== 'owner';
      if (losesOwner && owners.rowCount === 1) return 'last_owner';
      // A member's API keys never hold more than the member: removal revokes them, a demotion
      // narrows the ones above the new role (authentication checks the creator's role as well).
      if (role === null) {
        await client.query(
          'DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2',
          [workspaceId, userId],
        );
        await client.query(
          `UPDATE api_keys SET revoked_at = now()
           WHERE workspace_id = $1 AND created_by = $2 AND revoked_at IS NULL`,
          [workspaceId, userId],
        );
      } else {
        await client.query(
          'UPDATE workspace_members SET role = $3 WHERE workspace_id = $1 AND user_id = $2',
          [workspaceId, userId, role],
        );
        const above = WORKSPACE_ROLES.slice(WORKSPACE_ROLES.indexOf(role) + 1);
        if (role !== 'owner') {
          await client.query(
            `UPDATE api_keys SET role = $3
             WHERE workspace_id = $1 AND created_by = $2 AND revoked_at IS NULL AND role = ANY($4)`,
            [workspaceId, userId, role, above],
          );
        }
      }
      await writeAuditEntry(client, audit);
      return 'changed';
    });
  }

  async insertApiKey(
    key: {
      id: string;
      workspaceId: string;
      name: string;
      role: WorkspaceRole;
      secretHash: string;
      createdBy: string;
    },
    audit: AuditEntry | null,
  ): Promise<ApiKeyRecord> {
    return this.postgres.withWorkspace(key.workspaceId, async (client) => {
      const rows = await client.query<ApiKeyRow>(
        `INSERT INTO api_keys (id, workspace_id, name, role, secret_hash, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [key.id, key.workspaceId, key.name, key.role, key.secretHash, key.createdBy],
      );
      if (audit) await writeAuditEntry(client, audit);
      return toApiKey(rows.rows[0]);
    });
  }

  async apiKeys(workspaceId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.postgres.queryInWorkspace<ApiKeyRow>(
      workspaceId,
      'SELECT * FROM api_keys WHERE workspace_id = $1 ORDER BY created_at DESC, id',
      [workspaceId],
    );
    return rows.map(toApiKey);
  }

  /**
   * The key with its hash and its creator's current role in the key's workspace (null once the
   * creator left it), for authentication only; revoked keys are not returned.
   */
  async activeApiKey(
    id: string,
  ): Promise<(ApiKeyRecord & { secretHash: string; creatorRole: WorkspaceRole | null }) | null> {
    const rows = await this.postgres.query<ApiKeyRow & { creator_role: WorkspaceRole | null }>(
      'SELECT * FROM cairn_api_key_for_auth($1)',
      [id],
    );
    const row = rows[0];
    return row
      ? { ...toApiKey(row), secretHash: row.secret_hash, creatorRole: row.creator_role }
      : null;
  }

  async touchApiKey(workspaceId: string, id: string): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  /** Revokes the key; null when the workspace has no such key, false when already revoked. */
  async revokeApiKey(
    workspaceId: string,
    id: string,
    audit: AuditEntry,
  ): Promise<ApiKeyRecord | null> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const rows = await client.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
         WHERE workspace_id = $1 AND id = $2 RETURNING *`,
        [workspaceId, id],
      );
      if (!rows.rows[0]) return null;
      await writeAuditEntry(client, audit);
      return toApiKey(rows.rows[0]);
    });
  }
}
