import { Injectable, Logger } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { CairnError } from '../common/errors/cairn-error';
import { looksLikeApiKey, parseApiKey, secretMatches } from './api-keys';
import { AuthRepository } from './auth.repository';
import { JwtVerifier, TokenRejected } from './jwt-verifier';
import type { Principal } from './principal';
import { lesserRole, type WorkspaceRole } from './roles';

/** A caller: a Supabase Auth user, or an API key bound to one workspace. */
export interface Caller extends Principal {
  /** For API keys: the only workspace they act in, and their role there. */
  keyWorkspaceId?: string;
  keyRole?: WorkspaceRole;
}

// One generic message for every refusal: the reason is logged, never told to the caller.
const UNAUTHENTICATED = 'missing or invalid credentials';
// How long a user recorded on sign-in is not written again by this process.
const USER_RECORD_TTL_MS = 60_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly verifier: JwtVerifier;
  private readonly recentlyRecorded = new Map<string, number>();

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly repository: AuthRepository,
  ) {
    this.verifier = new JwtVerifier(config);
  }

  /** Reads `Authorization: Bearer <jwt | ck_…>` or `X-API-Key: ck_…`; throws 401 on anything else. */
  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const credential = credentialOf(headers);
    if (!credential) throw new CairnError('unauthenticated', UNAUTHENTICATED);
    return looksLikeApiKey(credential)
      ? this.authenticateApiKey(credential)
      : this.authenticateToken(credential);
  }

  private async authenticateToken(token: string): Promise<Caller> {
    try {
      const verified = await this.verifier.verify(token);
      await this.recordUser(verified.userId, verified.email);
      return { userId: verified.userId, email: verified.email, via: 'token' };
    } catch (error) {
      if (error instanceof TokenRejected) {
        this.logger.debug(`token refused: ${error.reason}`);
        throw new CairnError('unauthenticated', UNAUTHENTICATED);
      }
      throw error;
    }
  }

  private async authenticateApiKey(key: string): Promise<Caller> {
    const parsed = parseApiKey(key);
    const stored = parsed ? await this.repository.activeApiKey(parsed.id) : null;
    if (!parsed || !stored || !secretMatches(parsed.secret, stored.secretHash)) {
      this.logger.debug('API key refused');
      throw new CairnError('unauthenticated', UNAUTHENTICATED);
    }
    // A key acts for its creator: never beyond what they hold now, and not at all once they left.
    if (!stored.creatorRole) {
      this.logger.debug("API key refused: its creator left the key's workspace");
      throw new CairnError('unauthenticated', UNAUTHENTICATED);
    }
    void this.repository.touchApiKey(stored.workspaceId, stored.id).catch(() => undefined);
    return {
      userId: stored.createdBy,
      via: 'apiKey',
      apiKeyId: stored.id,
      keyWorkspaceId: stored.workspaceId,
      keyRole: lesserRole(stored.role, stored.creatorRole),
    };
  }

  /** The caller's role in a workspace, or null when they may not see it at all. */
  async roleIn(caller: Caller, workspaceId: string): Promise<WorkspaceRole | null> {
    if (caller.via === 'apiKey') {
      return caller.keyWorkspaceId === workspaceId ? (caller.keyRole ?? null) : null;
    }
    return this.repository.roleOf(caller.userId, workspaceId);
  }

  private async recordUser(userId: string, email: string | undefined): Promise<void> {
    const now = Date.now();
    if ((this.recentlyRecorded.get(userId) ?? 0) > now) return;
    await this.repository.upsertUser(userId, email);
    if (this.recentlyRecorded.size > 10_000) this.recentlyRecorded.clear();
    this.recentlyRecorded.set(userId, now + USER_RECORD_TTL_MS);
  }
}

function credentialOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined;
}
