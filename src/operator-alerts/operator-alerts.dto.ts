import { ApiProperty } from '@nestjs/swagger';

// Response shapes of the operators' alert API, as classes so that Swagger can describe them
// (the webhook's request body is Alertmanager's, validated by alertmanager-webhook.ts).

export class OperatorAlertDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: "Alertmanager's fingerprint of the alert's labels" })
  fingerprint!: string;
  @ApiProperty({ enum: ['firing', 'resolved'] }) status!: 'firing' | 'resolved';
  @ApiProperty({ example: 'CairnDependencyDown' }) alertname!: string;
  @ApiProperty({ nullable: true, type: String, example: 'page' }) severity!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  labels!: Record<string, string>;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'summary, description and runbook_url (docs/operations.md)',
  })
  annotations!: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endsAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) generatorUrl!: string | null;
  @ApiProperty({ description: 'Notifications received for this firing (repeats included)' })
  notifications!: number;
  @ApiProperty({ format: 'date-time' }) firstReceivedAt!: string;
  @ApiProperty({ format: 'date-time' }) lastReceivedAt!: string;
}

export class OperatorAlertListDto {
  @ApiProperty({ type: [OperatorAlertDto] }) items!: OperatorAlertDto[];
}

export class AlertsReceivedDto {
  @ApiProperty({ description: 'Alerts recorded from this notification' }) received!: number;
}

/** What the operators' event stream carries for each recorded alert. */
export interface OperatorAlertEvent {
  type: 'alert';
  /** new: first notification of this firing; repeat: the same again; resolved: it ended. */
  change: 'new' | 'repeat' | 'resolved';
  alert: OperatorAlertDto;
}

export const OPERATOR_ALERTS_CHANNEL = 'cairn:operator:alerts';
