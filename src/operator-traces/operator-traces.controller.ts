import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { assertOperator } from '../auth/operators';
import { CurrentPrincipal, type Principal, WithoutWorkspace } from '../auth/principal';
import { ZodValidationPipe } from '../common/http/zod-validation.pipe';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { TraceDto, TraceSummaryListDto } from './operator-traces.dto';
import { OperatorTracesService } from './operator-traces.service';

const traceIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hexadecimal digits (the X-Trace-Id header)')
  .transform((id) => id.toLowerCase());

const searchSchema = z.object({
  workflowId: z.string().min(1).max(400),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
type TraceSearch = z.infer<typeof searchSchema>;

/**
 * The traces Jaeger holds, for the console's trace view. Traces span every workspace (one upload
 * touches shared stores and workers), so only operators read them, like the Temporal UI.
 */
@ApiTags('operator')
@Controller('operator/traces')
@WithoutWorkspace()
export class OperatorTracesController {
  private readonly operators: Set<string>;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly traces: OperatorTracesService,
  ) {
    this.operators = new Set(config.CAIRN_OPERATOR_USER_IDS);
  }

  @Get()
  @ApiOperation({
    summary:
      'Traces of a Temporal workflow (its start and its runs), newest first (operators only)',
  })
  @ApiQuery({ name: 'workflowId', required: true, schema: { type: 'string', maxLength: 400 } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
  })
  @ApiOkResponse({ type: TraceSummaryListDto })
  async search(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(searchSchema)) query: TraceSearch,
  ): Promise<TraceSummaryListDto> {
    assertOperator(principal, this.operators, 'read traces');
    return { items: await this.traces.tracesOfWorkflow(query.workflowId, query.limit) };
  }

  @Get(':traceId')
  @ApiOperation({ summary: 'One trace from Jaeger as a span tree (operators only)' })
  @ApiOkResponse({ type: TraceDto })
  async trace(
    @CurrentPrincipal() principal: Principal,
    @Param('traceId', new ZodValidationPipe(traceIdSchema)) traceId: string,
  ): Promise<TraceDto> {
    assertOperator(principal, this.operators, 'read traces');
    return this.traces.trace(traceId);
  }
}
