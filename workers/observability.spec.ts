import pino from 'pino';
import { activityLogFields, PinoTemporalLogger } from './observability';

describe('activityLogFields', () => {
  it("takes the workspace and document ids from an activity's object argument", () => {
    expect(
      activityLogFields([{ workspaceId: 'w1', documentIds: ['d1', 'd2'], stage: 'graph' }]),
    ).toEqual({ workspaceId: 'w1', documentIds: ['d1', 'd2'] });
    expect(activityLogFields([{ workspaceId: 'w1', documentId: 'd1', domainId: 'x' }])).toEqual({
      workspaceId: 'w1',
      documentId: 'd1',
      domainId: 'x',
    });
  });

  it('leaves out long id lists and arguments that are not objects', () => {
    const many = Array.from({ length: 21 }, (_, index) => `d${index}`);
    expect(activityLogFields([{ workspaceId: 'w1', documentIds: many }])).toEqual({
      workspaceId: 'w1',
    });
    expect(activityLogFields(['w1'])).toEqual({});
    expect(activityLogFields([])).toEqual({});
  });
});

describe('PinoTemporalLogger', () => {
  it("writes Temporal's log entries as JSON lines with traceId/spanId and no task token", () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { base: undefined, timestamp: false },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    new PinoTemporalLogger(logger).warn('Activity failed', {
      trace_id: 'a'.repeat(32),
      span_id: 'b'.repeat(16),
      trace_flags: '01',
      taskToken: 'opaque',
      activityType: 'writeGraph',
    });
    expect(lines).toEqual([
      {
        level: 40,
        msg: 'Activity failed',
        activityType: 'writeGraph',
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
      },
    ]);
  });

  it('writes the failure an entry carries with its type, message and cause', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { base: undefined, timestamp: false },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const cause = new RangeError('Neo4j is unavailable');
    new PinoTemporalLogger(logger).warn('Activity failed', {
      activityType: 'writeGraph',
      error: new Error('writeGraph failed', { cause }),
    });
    expect(lines[0].error).toMatchObject({
      type: 'Error',
      message: 'writeGraph failed',
      stack: expect.stringContaining('writeGraph failed') as unknown,
      cause: { type: 'RangeError', message: 'Neo4j is unavailable' },
    });
  });
});
