import { Module } from '@nestjs/common';
import { AlertWebhookSecretGuard, OperatorAlertsController } from './operator-alerts.controller';
import { OperatorAlertsService } from './operator-alerts.service';

@Module({
  controllers: [OperatorAlertsController],
  providers: [OperatorAlertsService, AlertWebhookSecretGuard],
})
export class OperatorAlertsModule {}
