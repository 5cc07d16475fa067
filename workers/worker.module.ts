import { Module } from '@nestjs/common';
import { ConfigModule } from '../src/config/config.module';
import { StoresModule } from '../src/stores/stores.module';

/** The workers' Nest context: the same configuration and store clients as the API, no HTTP. */
@Module({ imports: [ConfigModule, StoresModule] })
export class WorkerModule {}
