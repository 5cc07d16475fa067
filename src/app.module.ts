import { Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { DocumentsModule } from './documents/documents.module';
import { DomainsModule } from './domains/domains.module';
import { HealthModule } from './health/health.module';
import { SearchModule } from './search/search.module';
import { ImportsModule } from './imports/imports.module';
import { McpModule } from './mcp/mcp.module';
import { MetricsModule } from './observability/metrics.module';
import { OperatorAlertsModule } from './operator-alerts/operator-alerts.module';
import { OperatorTracesModule } from './operator-traces/operator-traces.module';
import { SmokeModule } from './smoke/smoke.module';
import { StoresModule } from './stores/stores.module';
import { TemporalModule } from './temporal/temporal.module';
import { EventsModule } from './events/events.module';
import { WatchesModule } from './watches/watches.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    ConfigModule,
    StoresModule,
    TemporalModule,
    AuthModule,
    HealthModule,
    MetricsModule,
    SmokeModule,
    DocumentsModule,
    ImportsModule,
    DomainsModule,
    SearchModule,
    ConsoleModule,
    McpModule,
    WebhooksModule,
    WatchesModule,
    EventsModule,
    OperatorAlertsModule,
    OperatorTracesModule,
  ],
})
export class AppModule {}
