import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CairnError } from '../common/errors/cairn-error';
import { OutboundAddressPolicy, RefusedUrlError } from '../common/http/outbound-address';
import { SecretSealer } from '../common/sealed-secrets';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import type { AuditContext } from '../auth/audit-context';
import { AuditService } from '../auth/audit.service';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { WebhooksRepository } from './webhooks.repository';
import { newSigningSecret } from './webhook-signature';
import type { DeliveryRecord, WebhookEventType, WebhookRecord } from './webhook.types';

/** Endpoints and the workspace's signing secret, as admins manage them through the API. */
@Injectable()
export class WebhooksService {
  private readonly sealer?: SecretSealer;
  private readonly policy: OutboundAddressPolicy;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly postgres: PostgresStore,
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditService,
  ) {
    if (config.CAIRN_SECRETS_PUBLIC_KEY)
      this.sealer = new SecretSealer(config.CAIRN_SECRETS_PUBLIC_KEY);
    this.policy = new OutboundAddressPolicy(config.CAIRN_OUTBOUND_ALLOWED_NETWORKS);
  }

  /**
   * Adds an endpoint. The first endpoint of a workspace also makes its signing secret, returned
   * here once; later ones sign with the same secret (rotate it with rotateSecret).
   */
  async create(
    audit: AuditContext,
    input: { url: string; events?: WebhookEventType[] },
  ): Promise<{ webhook: WebhookRecord; secret?: string }> {
    const sealer = this.requireSealer();
    const url = await this.checkUrl(input.url);
    const { workspaceId } = audit;
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const webhook = await this.webhooks.insert(client, {
        id: randomUUID(),
        workspaceId,
        url,
        events: input.events ? [...new Set(input.events)].sort() : null,
        createdBy: audit.actor?.userId ?? null,
      });
      let secret: string | undefined;
      if (!(await this.webhooks.hasSecret(client, workspaceId))) {
        secret = newSigningSecret();
        await this.webhooks.setSecret(client, workspaceId, sealer.seal(secret, workspaceId));
      }
      await this.audit.recordIn(client, {
        ...audit,
        action: 'webhook.created',
        targetType: 'webhook',
        targetId: webhook.id,
        details: { url: webhook.url, events: webhook.events, secretCreated: secret !== undefined },
      });
      return { webhook, secret };
    });
  }

  /** A new signing secret, from the next delivery attempt on; the old one stops verifying. */
  async rotateSecret(audit: AuditContext): Promise<{ secret: string; createdAt: string }> {
    const sealer = this.requireSealer();
    const secret = newSigningSecret();
    const createdAt = await this.postgres.withWorkspace(audit.workspaceId, async (client) => {
      const at = await this.webhooks.setSecret(
        client,
        audit.workspaceId,
        sealer.seal(secret, audit.workspaceId),
      );
      await this.audit.recordIn(client, {
        ...audit,
        action: 'webhook.secret_rotated',
        targetType: 'workspace',
        targetId: audit.workspaceId,
      });
      return at;
    });
    return { secret, createdAt: createdAt.toISOString() };
  }

  async remove(audit: AuditContext, id: string): Promise<void> {
    await this.postgres.withWorkspace(audit.workspaceId, async (client) => {
      if (!(await this.webhooks.remove(client, audit.workspaceId, id))) {
        throw new CairnError('not_found', `webhook ${id} not found`);
      }
      await this.audit.recordIn(client, {
        ...audit,
        action: 'webhook.deleted',
        targetType: 'webhook',
        targetId: id,
      });
    });
  }

  list(workspaceId: string): Promise<WebhookRecord[]> {
    return this.webhooks.list(workspaceId);
  }

  async deliveries(workspaceId: string, id: string, limit: number): Promise<DeliveryRecord[]> {
    if (!(await this.webhooks.find(workspaceId, id))) {
      throw new CairnError('not_found', `webhook ${id} not found`);
    }
    return this.webhooks.deliveries(workspaceId, id, limit);
  }

  private requireSealer(): SecretSealer {
    if (!this.sealer) {
      throw new CairnError(
        'dependency_unavailable',
        'webhooks need CAIRN_SECRETS_PUBLIC_KEY (see docs/webhooks.md)',
      );
    }
    return this.sealer;
  }

  private async checkUrl(url: string): Promise<string> {
    try {
      return (await this.policy.check(url)).toString();
    } catch (error) {
      if (error instanceof RefusedUrlError)
        throw new CairnError('invalid_input', `url: ${error.message}`);
      throw error;
    }
  }
}
