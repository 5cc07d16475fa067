import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type DeliveryStatus,
  type WebhookEventType,
} from './webhook.types';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/cairn', maxLength: 2000 }) url!: string;
  @ApiPropertyOptional({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    description: 'The event types to send; all of them when absent',
  })
  events?: WebhookEventType[];
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() workspaceId!: string;
  @ApiProperty() url!: string;
  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    nullable: true,
    description: 'null: every event type',
  })
  events!: WebhookEventType[] | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiPropertyOptional({
    description:
      "The workspace's signing secret (whsec_…), when this endpoint is the first and the secret was made now: shown in this answer only",
  })
  secret?: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto] }) items!: WebhookDto[];
}

export class WebhookSecretDto {
  @ApiProperty({
    description: 'The new signing secret (whsec_…): shown in this answer only, never again',
  })
  secret!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Sent as X-Cairn-Delivery; the same on every attempt',
  })
  id!: string;
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) eventType!: WebhookEventType;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;
}

export class WebhookDeliveryListDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items!: WebhookDeliveryDto[];
}
