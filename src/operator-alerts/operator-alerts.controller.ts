import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  type MessageEvent,
  Post,
  Query,
  Sse,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Public, WithoutWorkspace } from '../auth/principal';
import { CairnError } from '../common/errors/cairn-error';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import {
  type AlertmanagerWebhook,
  alertmanagerWebhookSchema,
  receivedAlerts,
} from './alertmanager-webhook';
import { AlertsReceivedDto, OperatorAlertListDto } from './operator-alerts.dto';
import { OperatorAlertsService } from './operator-alerts.service';

const NOT_AN_OPERATOR = 'only operators (CAIRN_OPERATOR_USER_IDS) may read alerts';

/**
 * Alertmanager's webhook carries no user: it proves itself with the shared secret
 * CAIRN_ALERT_WEBHOOK_SECRET as a Bearer token (infra/alertmanager: credentials_file). Compared
 * as hashes, in constant time; with no secret configured the receiver is closed.
 */
@Injectable()
export class AlertWebhookSecretGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@InjectConfig() config: CairnConfig) {
    this.expected = config.CAIRN_ALERT_WEBHOOK_SECRET
      ? digest(config.CAIRN_ALERT_WEBHOOK_SECRET)
      : null;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new CairnError(
        'forbidden',
        'the alert receiver is off (CAIRN_ALERT_WEBHOOK_SECRET is not set)',
      );
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1].trim()), this.expected)) {
      throw new CairnError('unauthenticated', 'missing or wrong alert webhook secret');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

const listQuerySchema = z.object({
  status: z.enum(['firing', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
type ListAlertsQuery = z.infer<typeof listQuerySchema>;

/**
 * Cairn as Alertmanager's receiver: alerts are recorded, published on the operators' event
 * stream and listed for operators (the Supabase Auth users of CAIRN_OPERATOR_USER_IDS, with
 * their own token; API keys belong to workspaces and never see platform alerts).
 */
@ApiTags('operator')
@Controller('operator/alerts')
export class OperatorAlertsController {
  private readonly operators: Set<string>;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly alerts: OperatorAlertsService,
  ) {
    this.operators = new Set(config.CAIRN_OPERATOR_USER_IDS);
  }

  @Post()
  @Public()
  @UseGuards(AlertWebhookSecretGuard)
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Alertmanager's webhook (Bearer CAIRN_ALERT_WEBHOOK_SECRET): records the alerts",
  })
  @ApiBody({ description: "Alertmanager's webhook payload, version 4", schema: { type: 'object' } })
  @ApiOkResponse({ type: AlertsReceivedDto })
  async receive(
    @Body(new ZodValidationPipe(alertmanagerWebhookSchema)) payload: AlertmanagerWebhook,
  ): Promise<AlertsReceivedDto> {
    const events = await this.alerts.record(receivedAlerts(payload));
    return { received: events.length };
  }

  @Get()
  @WithoutWorkspace()
  @ApiOperation({ summary: 'Alerts received from Alertmanager, newest first (operators only)' })
  @ApiOkResponse({ type: OperatorAlertListDto })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(listQuerySchema)) query: ListAlertsQuery,
  ): Promise<OperatorAlertListDto> {
    this.assertOperator(principal);
    return { items: await this.alerts.list(query) };
  }

  @Sse('events')
  @WithoutWorkspace()
  @ApiOperation({
    summary: 'Each alert as it is recorded, as Server-Sent Events (operators only)',
  })
  @ApiProduces('text/event-stream')
  events(@CurrentPrincipal() principal: Principal): Observable<MessageEvent> {
    this.assertOperator(principal);
    return this.alerts.stream();
  }

  private assertOperator(principal: Principal): void {
    if (principal.via !== 'token' || !this.operators.has(principal.userId)) {
      throw new CairnError('forbidden', NOT_AN_OPERATOR);
    }
  }
}
