import { Public } from '../auth/principal';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  DEPENDENCIES,
  DependencyCheck,
  DependencyName,
  HealthService,
  ReadinessReport,
} from './health.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

class DependencyCheckDto implements DependencyCheck {
  @ApiProperty({ enum: ['ok', 'down'] })
  status!: 'ok' | 'down';
  @ApiProperty({ description: 'How long the check took, in milliseconds' })
  latencyMs!: number;
  @ApiPropertyOptional({ description: 'Why the dependency counts as down' })
  error?: string;
}

class ChecksDto implements Record<DependencyName, DependencyCheck> {
  @ApiProperty({ type: DependencyCheckDto }) postgres!: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) redis!: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) temporal!: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) neo4j!: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) weaviate!: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) minio!: DependencyCheckDto;
}

class ReadinessDto implements ReadinessReport {
  @ApiProperty({ enum: ['ok', 'error'] })
  status!: 'ok' | 'error';
  @ApiProperty({ type: ChecksDto })
  checks!: ChecksDto;
  @ApiProperty({ enum: DEPENDENCIES, isArray: true, description: 'Dependencies that are down' })
  down!: DependencyName[];
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers HTTP (no dependency is called)' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: Postgres, Redis, Temporal, Neo4j, Weaviate and MinIO each answer',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Every dependency is ok' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'At least one dependency is down',
  })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessDto> {
    const report = await this.health.readiness();
    response.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
