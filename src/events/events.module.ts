import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { WorkspaceEventsService } from './workspace-events.service';

/** GET /events: the workspace-wide live stream. */
@Module({
  controllers: [EventsController],
  providers: [WorkspaceEventsService],
})
export class EventsModule {}
