import { ApiProperty } from '@nestjs/swagger';

// Answers of the operators' trace API: Jaeger's traces as the console's trace view shows them.

const SCALARS = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] };

export class TraceEventDto {
  @ApiProperty({ description: "Milliseconds from the trace's first span" }) offsetMs!: number;
  @ApiProperty({ example: 'exception' }) name!: string;
  @ApiProperty({ type: 'object', additionalProperties: SCALARS })
  attributes!: Record<string, string | number | boolean>;
}

export class TraceSpanDto {
  @ApiProperty() spanId!: string;
  @ApiProperty({ nullable: true, type: String }) parentSpanId!: string | null;
  @ApiProperty({ description: 'Depth in the span tree (0: a root)' }) depth!: number;
  @ApiProperty({ example: 'cairn-worker' }) service!: string;
  @ApiProperty({ example: 'RunActivity:writeGraph' }) name!: string;
  @ApiProperty({ enum: ['internal', 'server', 'client', 'producer', 'consumer'] })
  kind!: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  @ApiProperty({ description: "Milliseconds from the trace's first span" }) offsetMs!: number;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() error!: boolean;
  @ApiProperty({ nullable: true, type: String }) errorMessage!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: SCALARS })
  attributes!: Record<string, string | number | boolean>;
  @ApiProperty({ type: [TraceEventDto] }) events!: TraceEventDto[];
}

export class TraceDto {
  @ApiProperty({ example: '4bf92f3577b34da6a3ce929d0e0e4736' }) traceId!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ type: [String] }) services!: string[];
  @ApiProperty({ description: 'Spans that ended in an error' }) errors!: number;
  @ApiProperty({
    type: [TraceSpanDto],
    description: 'In tree order: each parent before its children',
  })
  spans!: TraceSpanDto[];
}

export class TraceSummaryDto {
  @ApiProperty() traceId!: string;
  @ApiProperty() rootName!: string;
  @ApiProperty() rootService!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty() spans!: number;
  @ApiProperty() errors!: number;
}

export class TraceSummaryListDto {
  @ApiProperty({ type: [TraceSummaryDto] }) items!: TraceSummaryDto[];
}
