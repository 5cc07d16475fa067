import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { Worker } from '@temporalio/worker';

// Replays real recorded histories (infra/record-histories.ts) against the current workflow code.
// A change that would make a running workflow non-deterministic fails here, before it ships.

const historiesDir = resolve(__dirname, '../replay-histories');
const WORKFLOW_TYPES = [
  'smokeWorkflow',
  'processDocumentWorkflow',
  'processDocumentsWorkflow',
  'importWorkflow',
  'deleteDocumentWorkflow',
  'domainBootstrapWorkflow',
  'addDomainDocumentsWorkflow',
  'deliverWebhookWorkflow',
  'checkWatchesWorkflow',
];

type History = proto.temporal.api.history.v1.IHistory;

interface RecordedHistory {
  file: string;
  workflowId: string;
  workflowType: string;
  history: History;
}

/**
 * The SDK's historyFromJSON, or the same parse through the protobufjs copy that @temporalio/proto
 * uses. With today's lock file @temporalio/common and @temporalio/proto each get their own nested
 * protobufjs 8 (the top level holds protobufjs 7 for OpenTelemetry), and historyFromJSON's
 * `instanceof Type` check fails across the two copies ("type must be a Type").
 */
function parseHistory(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (error) {
    if (!(error instanceof TypeError && error.message === 'type must be a Type')) throw error;
  }
  const protojsonPath = require.resolve('protobufjs/ext/protojson', {
    paths: [dirname(require.resolve('@temporalio/proto'))],
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protojson = require(protojsonPath) as {
    fromJson(type: unknown, value: unknown, options: { ignoreUnknownFields: boolean }): History;
  };
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
  return protojson.fromJson(root.lookupType('temporal.api.history.v1.History'), json, {
    ignoreUnknownFields: true,
  });
}

function loadHistories(): RecordedHistory[] {
  return readdirSync(historiesDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const recorded = JSON.parse(readFileSync(resolve(historiesDir, file), 'utf8')) as {
        workflowId: string;
        history: unknown;
      };
      const history = parseHistory(recorded.history);
      const workflowType =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
      return { file, workflowId: recorded.workflowId, workflowType, history };
    });
}

jest.setTimeout(180_000);

describe('workflow replay', () => {
  const histories = loadHistories();

  it('has a recorded history of every workflow type', () => {
    expect([...new Set(histories.map((h) => h.workflowType))].sort()).toEqual(
      [...WORKFLOW_TYPES].sort(),
    );
  });

  it('replays every recorded history deterministically against the current code', async () => {
    const results = Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../workflows'), replayName: 'cairn-replay' },
      histories.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    const outcomes: { workflowId: string; error?: string }[] = [];
    for await (const result of results) {
      outcomes.push({
        workflowId: result.workflowId,
        ...(result.error ? { error: String(result.error) } : {}),
      });
    }
    expect(outcomes).toHaveLength(histories.length);
    expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
  });
});
