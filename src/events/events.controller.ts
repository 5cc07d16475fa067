import { Controller, type MessageEvent, Sse } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { EventStreamQuota } from '../auth/event-stream-quota';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { WorkspaceEventsService } from './workspace-events.service';

@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(
    private readonly workspaceEvents: WorkspaceEventsService,
    private readonly streamQuota: EventStreamQuota,
  ) {}

  @Sse()
  @ApiOperation({
    summary: 'Server-Sent Events: everything happening in the workspace, live',
    description:
      'First a "ready" event (subscribed: everything after it is delivered), then events named by kind — "document" (DocumentEvent), "import" (ImportEvent), "domain" (DomainEvent), "watch" (a watch match), "connector" (a connector run) — each with its JSON as data; "heartbeat" events keep idle connections open. Counts against the per-user limit of open event streams.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream' })
  @ApiTooManyRequestsResponse({ description: 'The caller already holds too many event streams' })
  events(
    @CurrentWorkspace() workspaceId: string,
    @CurrentPrincipal() principal: Principal,
  ): Observable<MessageEvent> {
    const release = this.streamQuota.reserve(principal.apiKeyId ?? principal.userId);
    return this.workspaceEvents.stream(workspaceId, release);
  }
}
