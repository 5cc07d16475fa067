import { RequireRole } from '../auth/principal';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { unavailable } from '../common/errors/cairn-error';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import { CurrentWorkspace } from '../workspaces/current-workspace';
import type { smokeWorkflow } from '../../workflows/smoke.workflow';
import { smokeWorkflowId } from '../pipeline/workflow-ids';
import type { SmokeResult } from '../pipeline/smoke.types';

export interface SmokeResponse extends SmokeResult {
  workflowId: string;
  temporalUiUrl: string;
}

@ApiTags('operations')
@Controller('smoke')
export class SmokeController {
  constructor(private readonly workflows: WorkflowGateway) {}

  @Post()
  @HttpCode(200)
  @RequireRole('editor')
  @ApiOperation({
    summary: 'Run the smoke workflow: one write and read-back in every engine, on every queue',
  })
  async run(@CurrentWorkspace() workspaceId: string): Promise<SmokeResponse> {
    const probeId = randomUUID();
    const workflowId = smokeWorkflowId(workspaceId, probeId);
    try {
      const result = await this.workflows.execute<typeof smokeWorkflow>('smokeWorkflow', {
        workflowId,
        args: [{ workspaceId, probeId }],
        labels: { workspaceId },
        executionTimeout: '2m',
      });
      return { workflowId, temporalUiUrl: this.workflows.uiUrl(workflowId), ...result };
    } catch (error) {
      if (error instanceof WorkflowFailedError) {
        throw unavailable(
          `Smoke workflow ${workflowId} failed: ${error.cause?.message ?? error.message}`,
        );
      }
      throw error;
    }
  }
}
