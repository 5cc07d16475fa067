import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Express, RequestHandler } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { requestLoggingMiddleware } from '../logging/request-logging.middleware';
import { httpMetricsMiddleware } from '../../observability/http-metrics.middleware';
import { exceptPaths } from '../../observability/skip-paths';
import { requestIdMiddleware } from './request-id';

/**
 * Everything the HTTP API needs besides its modules: request ids, request logs, the error
 * filter, OpenAPI. Shared by main.ts and by tests that build the app in-process.
 */
export function configureHttpApp(app: INestApplication, logger: PinoLogger): void {
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware);
  // Prometheus scrapes every few seconds: a log line each would drown the real requests.
  app.use(exceptPaths(['/metrics'], requestLoggingMiddleware(logger) as RequestHandler));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('Cairn API')
    .setDescription(
      'Durable-workflow knowledge platform: upload documents, follow their processing, search them semantically and through the knowledge graph.',
    )
    .setVersion('0.1.0')
    .build();
  // Swagger UI at /docs, the OpenAPI JSON at /docs-json.
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'docs-json',
  });
}
