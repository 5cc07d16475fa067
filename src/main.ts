// First: tracing instruments http, pg and ioredis as they load.
import './observability/api-tracing';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { apiProcessCount, joinApiCluster, runApiPrimary } from './api-cluster';
import { AppModule } from './app.module';
import { configureHttpApp } from './common/http/configure-app';
import { createLogger, PinoNestLogger } from './common/logging/logger';
import { CairnConfig, ConfigError, loadConfig } from './config/config';
import { startMetricsListener } from './observability/metrics-listener';

async function bootstrap(): Promise<void> {
  // Validate before anything connects: a bad configuration lists every bad key and exits 1.
  let config: CairnConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config.LOG_LEVEL, 'api');
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled promise rejection'),
  );
  // CAIRN_API_PROCESSES > 1: this process only forks and supervises the API processes.
  const processes = apiProcessCount(config.CAIRN_API_PROCESSES);
  if (processes > 1 && cluster.isPrimary) {
    await runApiPrimary(processes, logger, {
      host: config.CAIRN_API_HOST,
      port: config.CAIRN_API_METRICS_PORT,
    });
    return;
  }
  if (cluster.isWorker) joinApiCluster();

  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: new PinoNestLogger(logger),
  });
  configureHttpApp(app, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => logger.info({ signal }, 'shutting down: closing connections'));
  }
  const server: Server = app.getHttpServer();
  // Idle keep-alive sockets outlive the clients' and proxies' own idle timeouts (undici: 4 s,
  // load balancers: 60 s), so the server never closes a socket a client is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.listen(config.CAIRN_API_PORT, config.CAIRN_API_HOST);
  logger.info(
    { url: `http://${config.CAIRN_API_HOST}:${config.CAIRN_API_PORT}` },
    'Cairn API listening',
  );
  // In a cluster the primary serves the metrics port, with every process's figures.
  if (config.CAIRN_API_METRICS_PORT > 0 && !cluster.isWorker) {
    await startMetricsListener(config.CAIRN_API_HOST, config.CAIRN_API_METRICS_PORT);
    logger.info(
      { url: `http://${config.CAIRN_API_HOST}:${config.CAIRN_API_METRICS_PORT}/metrics` },
      'metrics served on their own port',
    );
  }
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
