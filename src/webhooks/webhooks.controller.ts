import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { type AuditContext, CurrentAuditContext } from '../auth/audit-context';
import { RequireRole } from '../auth/principal';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import { wholeNumber } from '../common/http/paging';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import {
  CreateWebhookDto,
  CreatedWebhookDto,
  WebhookDeliveryListDto,
  WebhookListDto,
  WebhookSecretDto,
} from './webhooks.dto';
import { WebhooksService } from './webhooks.service';
import { WEBHOOK_EVENT_TYPES } from './webhook.types';

const createWebhookSchema = z
  .object({
    url: z
      .string({ required_error: 'url is required', invalid_type_error: 'url must be a string' })
      .max(2_000, 'url must be at most 2000 characters'),
    events: z
      .array(
        z.enum(WEBHOOK_EVENT_TYPES, {
          errorMap: () => ({ message: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }),
        }),
      )
      .min(1, 'events must name at least one event type (or be left out for all)')
      .optional(),
  })
  .strict();

const idParam = z.string().uuid('must be a webhook id (UUID)');
const deliveriesQuery = z.object({
  limit: wholeNumber('limit')
    .pipe(z.number().min(1, 'limit must be at least 1').max(200, 'limit must be at most 200'))
    .default('50'),
});

/**
 * The workspace's webhooks: admins only. Deliveries are signed with one secret per workspace,
 * shown once when made (first endpoint) or rotated.
 */
@ApiTags('webhooks')
@Controller('webhooks')
@RequireRole('admin')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a webhook endpoint',
    description:
      "The URL must be http(s) and resolve to public addresses (unless CAIRN_OUTBOUND_ALLOWED_NETWORKS allows its network). The workspace's first endpoint answers the signing secret, once.",
  })
  @ApiBody({ type: CreateWebhookDto })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiBadRequestResponse({ description: 'Not an http(s) URL, or it reaches a refused address' })
  async create(
    @CurrentAuditContext() audit: AuditContext,
    @Body(new ZodValidationPipe(createWebhookSchema)) input: z.infer<typeof createWebhookSchema>,
  ): Promise<CreatedWebhookDto> {
    const { webhook, secret } = await this.webhooks.create(audit, input);
    return secret === undefined ? webhook : { ...webhook, secret };
  }

  @Get()
  @ApiOperation({ summary: "The workspace's webhook endpoints (never the secret)" })
  @ApiOkResponse({ type: WebhookListDto })
  async list(@CurrentWorkspace() workspaceId: string): Promise<WebhookListDto> {
    return { items: await this.webhooks.list(workspaceId) };
  }

  @Post('secret')
  @ApiOperation({
    summary: 'Rotate the signing secret; the new one is shown in this answer only',
    description: 'Every delivery attempt from now on is signed with the new secret.',
  })
  @ApiCreatedResponse({ type: WebhookSecretDto })
  rotateSecret(@CurrentAuditContext() audit: AuditContext): Promise<WebhookSecretDto> {
    return this.webhooks.rotateSecret(audit);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an endpoint; its pending deliveries stop' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse()
  async remove(
    @CurrentAuditContext() audit: AuditContext,
    @Param('id', new ZodValidationPipe(idParam)) id: string,
  ): Promise<void> {
    await this.webhooks.remove(audit, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's deliveries, newest first, with attempts and outcome" })
  @ApiOkResponse({ type: WebhookDeliveryListDto })
  @ApiNotFoundResponse()
  async deliveries(
    @CurrentWorkspace() workspaceId: string,
    @Param('id', new ZodValidationPipe(idParam)) id: string,
    @Query(new ZodValidationPipe(deliveriesQuery)) query: z.infer<typeof deliveriesQuery>,
  ): Promise<WebhookDeliveryListDto> {
    return { items: await this.webhooks.deliveries(workspaceId, id, query.limit) };
  }
}
