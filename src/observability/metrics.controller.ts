import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/principal';
import { CairnError } from '../common/errors/cairn-error';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { apiMetrics } from '../api-cluster';
import { metricsRegistry } from './metrics';

/**
 * Prometheus scrape endpoint of the API (text exposition format), on the API's port unless
 * CAIRN_API_METRICS_PORT moves it to a port of its own (then it answers 404 here: the figures
 * span every workspace and are not for the public entry).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly servedElsewhere: boolean;

  constructor(@InjectConfig() config: CairnConfig) {
    this.servedElsewhere = config.CAIRN_API_METRICS_PORT > 0;
  }

  @Get()
  @Public()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    if (this.servedElsewhere) throw new CairnError('not_found', 'Cannot GET /metrics');
    return apiMetrics();
  }
}
