import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Express, RequestHandler } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { CairnConfig } from '../../config/config';
import { CONFIG } from '../../config/config.module';
import { AllExceptionsFilter } from '../errors/all-exceptions.filter';
import { requestLoggingMiddleware } from '../logging/request-logging.middleware';
import { traceResponseMiddleware } from '../../observability/trace-context';
import { httpMetricsMiddleware } from '../../observability/http-metrics.middleware';
import { exceptPaths } from '../../observability/skip-paths';
import { requestIdMiddleware } from './request-id';

/**
 * Everything the HTTP API needs besides its modules: request and trace ids, request logs, the error
 * filter, OpenAPI. Shared by main.ts and by tests that build the app in-process.
 */
export function configureHttpApp(app: INestApplication, logger: PinoLogger): void {
  const express = app.getHttpAdapter().getInstance() as Express;
  express.disable('x-powered-by');
  // Behind a proxy (Caddy on the same host, a Kubernetes ingress) the client's address is in
  // X-Forwarded-For, believed only from CAIRN_TRUSTED_PROXIES (rate limits by IP).
  express.set('trust proxy', app.get<CairnConfig>(CONFIG).CAIRN_TRUSTED_PROXIES);
  app.use(requestIdMiddleware);
  app.use(traceResponseMiddleware(app.get<CairnConfig>(CONFIG).CAIRN_JAEGER_UI_URL));
  app.use(httpMetricsMiddleware);
  // Prometheus scrapes every few seconds: a log line each would drown the real requests.
  app.use(exceptPaths(['/metrics'], requestLoggingMiddleware(logger) as RequestHandler));
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

  // Swagger UI at /docs, the OpenAPI JSON at /docs-json.
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
  });
}

/**
 * The API's OpenAPI document, from its controllers' decorators. Also built without a server
 * (`npm run client:generate`) for the typed client in client/.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cairn API')
    .setDescription(
      'Durable-workflow knowledge platform: upload documents, follow their processing, search them semantically and through the knowledge graph.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'Supabase Auth access token or ck_… API key',
    })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .addGlobalParameters({
      name: 'X-Workspace-Id',
      in: 'header',
      required: false,
      description:
        'The workspace a request acts in (not needed with an API key, or where the path names it)',
      schema: { type: 'string' },
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}
