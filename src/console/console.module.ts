import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import type { CairnConfig } from '../config/config';
import { CONFIG } from '../config/config.module';
import { ConsoleController } from './console.controller';
import { consoleMiddleware } from './serve-console';

/** The web console: its files and pages (consoleMiddleware) and GET /console/config. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule implements NestModule {
  constructor(@Inject(CONFIG) private readonly config: CairnConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // Every path: the middleware itself picks /, /app/…, /assets/… and passes the rest on.
    consumer.apply(consoleMiddleware(this.config)).forRoutes('{*path}');
  }
}
