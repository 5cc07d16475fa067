import { Module } from '@nestjs/common';
import { OperatorTracesController } from './operator-traces.controller';
import { OperatorTracesService } from './operator-traces.service';

@Module({ controllers: [OperatorTracesController], providers: [OperatorTracesService] })
export class OperatorTracesModule {}
