import { Injectable } from '@nestjs/common';
import { CairnError } from '../common/errors/cairn-error';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import {
  type JaegerTrace,
  type TraceSummary,
  type TraceView,
  traceSummaries,
  traceView,
} from './jaeger-trace';

const TIMEOUT_MS = 10_000;
// Where a Temporal workflow id is found: the API's client spans (StartWorkflow, …) tag it
// temporalWorkflowId, the workers' workflow and activity spans workflowId (OTEL_SERVICE_NAME's
// default service names).
const WORKFLOW_TAGS = [
  { service: 'cairn-api', tag: 'temporalWorkflowId' },
  { service: 'cairn-worker', tag: 'workflowId' },
];
// Jaeger keeps traces in memory; searches look back this far.
const LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * Reads traces from Jaeger's HTTP query API (CAIRN_JAEGER_QUERY_URL), for the console's trace
 * view: Jaeger's own UI is not published by any registry Cairn installs from.
 */
@Injectable()
export class OperatorTracesService {
  private readonly base: string;

  constructor(@InjectConfig() config: CairnConfig) {
    this.base = config.CAIRN_JAEGER_QUERY_URL.replace(/\/+$/, '');
  }

  get enabled(): boolean {
    return this.base !== '';
  }

  async trace(traceId: string): Promise<TraceView> {
    const answer = await this.query(`/api/traces/${traceId}`);
    const view = answer ? traceView(traceId, answer) : null;
    if (!view) {
      throw new CairnError(
        'not_found',
        `Jaeger holds no trace ${traceId} (not received yet, sampled out, or dropped as the oldest)`,
      );
    }
    return view;
  }

  /** The traces whose spans name this Temporal workflow id (its start and its runs). */
  async tracesOfWorkflow(workflowId: string, limit: number): Promise<TraceSummary[]> {
    // Jaeger's query API takes times in microseconds.
    const start = String((Date.now() - LOOKBACK_MS) * 1000);
    const found = await Promise.all(
      WORKFLOW_TAGS.map(({ service, tag }) =>
        this.query(
          `/api/traces?${new URLSearchParams({
            service,
            tags: JSON.stringify({ [tag]: workflowId }),
            limit: String(limit),
            start,
          })}`,
        ),
      ),
    );
    return traceSummaries(found.flatMap((traces) => traces ?? [])).slice(0, limit);
  }

  /** Jaeger's `data`, or null for its 404. */
  private async query(path: string): Promise<JaegerTrace[] | null> {
    if (!this.enabled) {
      throw new CairnError('not_found', 'the trace view is off: CAIRN_JAEGER_QUERY_URL is not set');
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new CairnError(
        'dependency_unavailable',
        'Jaeger (CAIRN_JAEGER_QUERY_URL) did not answer',
        { cause: error },
      );
    }
    if (response.status === 404) return null;
    if (!response.ok) {
      throw new CairnError(
        'dependency_unavailable',
        `Jaeger answered ${response.status} (CAIRN_JAEGER_QUERY_URL)`,
      );
    }
    const body = (await response.json()) as { data?: JaegerTrace[] | null };
    return body.data ?? [];
  }
}
