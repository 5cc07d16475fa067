import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { ApiMetricsService } from './api-metrics.service';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [HealthModule],
  controllers: [MetricsController],
  providers: [ApiMetricsService],
})
export class MetricsModule {}
