import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { WorkspaceMiddleware } from './workspace.middleware';

@Module({})
export class WorkspacesModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WorkspaceMiddleware).forRoutes('*');
  }
}
