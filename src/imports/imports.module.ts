import { Module } from '@nestjs/common';
import { ImportEventsService } from './import-events.service';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

/** Bulk import: POST /imports and its status; the work itself is the import workflow. */
@Module({
  controllers: [ImportsController],
  providers: [ImportsRepository, ImportsService, ImportEventsService],
  exports: [ImportsRepository],
})
export class ImportsModule {}
