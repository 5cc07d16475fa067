import type { CairnConfig } from '../config/config';
import type { S3BlobStore } from '../stores/s3/s3-blob.store';
import type { WorkflowGateway } from '../temporal/workflow-gateway';
import type { ImportEventsService } from './import-events.service';
import type { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';
import type { ImportRecord, ImportStatus } from './import.types';

const record = (status: ImportStatus): ImportRecord => ({
  id: '6f1c2a4e-0000-4000-8000-000000000001',
  workspaceId: 'ws-unit',
  status,
  source: 'passages.jsonl',
  total: 30,
  done: 6,
  failed: 0,
  workflowId: 'import:ws-unit:6f1c2a4e-0000-4000-8000-000000000001',
  error: null,
  createdAt: '2026-11-23T08:00:00.000Z',
  updatedAt: '2026-11-23T08:00:01.000Z',
});

/** The service over fakes: Temporal gives `workflow` (a status, none, or an error). */
function serviceWith(
  workflow: { status: string | undefined } | { error: Error },
  afterMark: ImportRecord,
) {
  const describe = jest.fn(async () => {
    if ('error' in workflow) throw workflow.error;
    return workflow.status;
  });
  const workflows = { status: describe } as unknown as WorkflowGateway;
  const imports = {
    markAbandoned: jest.fn(async (_workspaceId: string, _id: string, error: string) =>
      afterMark.status === 'failed' ? { ...afterMark, error } : null,
    ),
    findById: jest.fn(async () => afterMark),
  };
  const events = { publish: jest.fn(async () => undefined) };
  const config = { CAIRN_MAX_IMPORT_BYTES: 1 << 30, CAIRN_MAX_UPLOAD_BYTES: 50 << 20 };
  const service = new ImportsService(
    config as CairnConfig,
    imports as unknown as ImportsRepository,
    {} as S3BlobStore,
    workflows,
    events as unknown as ImportEventsService,
  );
  return { service, describe, imports, events };
}

describe('ImportsService.settleIfAbandoned', () => {
  it('records an import whose workflow was terminated as failed, and publishes it', async () => {
    const { service, imports, events } = serviceWith({ status: 'TERMINATED' }, record('failed'));
    const settled = await service.settleIfAbandoned(record('processing'));
    expect(settled.status).toBe('failed');
    expect(settled.error).toMatch(/closed as TERMINATED before the import finished/);
    expect(imports.markAbandoned).toHaveBeenCalledTimes(1);
    expect(events.publish).toHaveBeenCalledWith(settled);
  });

  it('leaves an import alone while its workflow runs, or before it has started', async () => {
    const running = serviceWith({ status: 'RUNNING' }, record('failed'));
    await expect(running.service.settleIfAbandoned(record('processing'))).resolves.toEqual(
      record('processing'),
    );
    expect(running.imports.markAbandoned).not.toHaveBeenCalled();
    const notYet = serviceWith({ status: undefined }, record('failed'));
    await expect(notYet.service.settleIfAbandoned(record('pending'))).resolves.toEqual(
      record('pending'),
    );
    expect(notYet.imports.markAbandoned).not.toHaveBeenCalled();
  });

  it('does not ask Temporal about an import that has ended', async () => {
    const { service, describe } = serviceWith({ status: 'TERMINATED' }, record('failed'));
    await expect(service.settleIfAbandoned(record('completed'))).resolves.toEqual(
      record('completed'),
    );
    expect(describe).not.toHaveBeenCalled();
  });

  it('answers with the stored progress when Temporal cannot be reached', async () => {
    const { service, imports } = serviceWith(
      { error: new Error('14 UNAVAILABLE: connection refused') },
      record('failed'),
    );
    await expect(service.settleIfAbandoned(record('processing'))).resolves.toEqual(
      record('processing'),
    );
    expect(imports.markAbandoned).not.toHaveBeenCalled();
  });

  it('returns the stored end when the import recorded it meanwhile', async () => {
    const { service, events } = serviceWith({ status: 'COMPLETED' }, record('completed'));
    await expect(service.settleIfAbandoned(record('processing'))).resolves.toEqual(
      record('completed'),
    );
    expect(events.publish).not.toHaveBeenCalled();
  });
});
