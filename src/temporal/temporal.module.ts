import { Global, Module } from '@nestjs/common';
import { TemporalClientService } from './temporal-client.service';
import { WorkflowGateway } from './workflow-gateway';

@Global()
@Module({
  providers: [TemporalClientService, WorkflowGateway],
  exports: [TemporalClientService, WorkflowGateway],
})
export class TemporalModule {}
