import { Module } from '@nestjs/common';
import { WatchesController } from './watches.controller';
import { WatchesRepository } from './watches.repository';
import { WatchesService } from './watches.service';

@Module({
  controllers: [WatchesController],
  providers: [WatchesRepository, WatchesService],
})
export class WatchesModule {}
