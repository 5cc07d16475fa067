import { RequireRole } from '../auth/principal';
import { Controller, HttpCode, Post, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { TemporalClientService } from '../temporal/temporal-client.service';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import { smokeWorkflow, type SmokeResult } from '../../workflows/smoke.workflow';
import { WorkspaceIdAttribute } from '../../workflows/search-attributes';
import { TASK_QUEUES } from '../../workflows/task-queues';

export interface SmokeResponse extends SmokeResult {
  workflowId: string;
  temporalUiUrl: string;
}

@ApiTags('operations')
@Controller('smoke')
export class SmokeController {
  constructor(private readonly temporal: TemporalClientService) {}

  @Post()
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Run the smoke workflow: one write and read-back in every engine, on every queue',
  })
  async run(@CurrentWorkspace() workspaceId: string): Promise<SmokeResponse> {
    const probeId = randomUUID();
    const workflowId = `smoke:${workspaceId}:${probeId}`;
    const client = await this.temporal.client();
    const handle = await client.workflow.start(smokeWorkflow, {
      workflowId,
      taskQueue: TASK_QUEUES.general,
      args: [{ workspaceId, probeId }],
      workflowExecutionTimeout: '2m',
      typedSearchAttributes: [{ key: WorkspaceIdAttribute, value: workspaceId }],
    });
    try {
      const result = await handle.result();
      return { workflowId, temporalUiUrl: this.temporal.workflowUiUrl(workflowId), ...result };
    } catch (error) {
      if (error instanceof WorkflowFailedError) {
        throw new ServiceUnavailableException(
          `Smoke workflow ${workflowId} failed: ${error.cause?.message ?? error.message}`,
        );
      }
      throw error;
    }
  }
}
