import { createHash, randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { AttachmentsRepository } from '../../src/documents/attachments.repository';
import { DocumentsRepository, type NewDocument } from '../../src/documents/documents.repository';
import { documentIdFor, documentWorkflowId } from '../../src/documents/document-ids';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';

jest.setTimeout(60_000);

// Concurrent uploads (and imports) of the same bytes race to insert the same row. Both the
// primary key and (workspace_id, sha256) are unique, so a racing insert must treat a clash on
// either as "already there" instead of failing the request with a 500. Separately, a cancelled
// run's late writes must not bring a document that is being deleted back.
const ROUNDS = 25;
const RACERS = 10;

describe('DocumentsRepository against real PostgreSQL', () => {
  const postgres = new PostgresStore(loadConfig());
  const documents = new DocumentsRepository(postgres);
  const attachments = new AttachmentsRepository(postgres);
  const workspaceId = `t-${randomBytes(5).toString('hex')}`;

  function newDocument(text: string): NewDocument {
    const sha256 = createHash('sha256').update(text).digest('hex');
    const id = documentIdFor(workspaceId, sha256);
    return {
      id,
      workspaceId,
      sha256,
      title: text,
      mime: 'text/plain',
      sizeBytes: Buffer.byteLength(text),
      workflowId: documentWorkflowId(workspaceId, id),
    };
  }

  /** How many rows the workspace holds for these content hashes. */
  async function rowsWithShas(sha256s: string[]): Promise<number> {
    const rows = await postgres.queryInWorkspace<{ n: number }>(
      workspaceId,
      'SELECT count(*)::int AS n FROM documents WHERE workspace_id = $1 AND sha256 = ANY($2::text[])',
      [workspaceId, sha256s],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    await postgres.ensureSchema();
    await postgres.ensureWorkspace(workspaceId);
  });
  afterAll(async () => {
    // The workspace's rows go with it (ON DELETE CASCADE).
    await postgres.queryInWorkspace(workspaceId, 'DELETE FROM workspaces WHERE id = $1', [
      workspaceId,
    ]);
    await postgres.onModuleDestroy();
  });

  it(`insertIfAbsent: ${RACERS} racers per round, ${ROUNDS} rounds, one creator and one row each`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const document = newDocument(`single ${round} ${randomBytes(8).toString('hex')}`);
      const outcomes = await Promise.allSettled(
        Array.from({ length: RACERS }, () => documents.insertIfAbsent(document)),
      );
      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failures).toEqual([]);
      const results = outcomes.map(
        (outcome) =>
          (outcome as PromiseFulfilledResult<{ created: boolean; record: { id: string } }>).value,
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.record.id))).toEqual(new Set([document.id]));
      expect(await rowsWithShas([document.sha256])).toBe(1);
    }
  });

  it('insertManyIfAbsent: overlapping batches in parallel create each row once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const shared = Array.from({ length: 20 }, (_, index) =>
        newDocument(`many ${round} ${index} ${randomBytes(8).toString('hex')}`),
      );
      const batches = Array.from({ length: RACERS }, (_, racer) =>
        // Each racer sends the shared documents in its own order, as separate imports might.
        [...shared.slice(racer % shared.length), ...shared.slice(0, racer % shared.length)].map(
          ({ workspaceId: _workspace, ...document }) => document,
        ),
      );
      const outcomes = await Promise.allSettled(
        batches.map((batch) => documents.insertManyIfAbsent(workspaceId, batch)),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      const maps = outcomes.map(
        (outcome) =>
          (
            outcome as PromiseFulfilledResult<
              Awaited<ReturnType<DocumentsRepository['insertManyIfAbsent']>>
            >
          ).value,
      );
      for (const document of shared) {
        const creators = maps.filter((map) => map.get(document.sha256)?.created).length;
        expect(creators).toBe(1);
        expect(maps.every((map) => map.get(document.sha256)?.id === document.id)).toBe(true);
      }
      expect(await rowsWithShas(shared.map((document) => document.sha256))).toBe(shared.length);
    }
  });

  it("a run's late stage, indexed and failed writes leave a document being deleted alone", async () => {
    const [deleting, sibling] = ['deleting', 'sibling'].map((label) =>
      newDocument(`${label} ${randomBytes(8).toString('hex')}`),
    );
    for (const document of [deleting, sibling]) await documents.insertIfAbsent(document);
    const batch = [deleting.id, sibling.id];
    await documents.enterStage(workspaceId, batch, 'extract', new Date());
    await documents.markDeleting(workspaceId, deleting.id, {
      workspaceId,
      actor: null,
      action: 'document.deleted',
      targetType: 'document',
      targetId: deleting.id,
    });

    const ids = (records: { id: string }[]) => records.map((record) => record.id);
    expect(ids(await documents.enterStage(workspaceId, batch, 'graph', new Date()))).toEqual([
      sibling.id,
    ]);
    const counts = { chunks: 1, entities: 2, relations: 1, mentions: 2 };
    const indexed = await documents.markIndexed(
      workspaceId,
      { [deleting.id]: counts, [sibling.id]: counts },
      new Date(),
    );
    expect(ids(indexed.records)).toEqual([sibling.id]);
    expect(indexed.replaced).toEqual([]);
    expect(ids(await documents.markFailed(workspaceId, batch, 'late failure'))).toEqual([
      sibling.id,
    ]);

    expect(await documents.findById(workspaceId, deleting.id)).toMatchObject({
      status: 'deleting',
      stage: 'extract',
      error: null,
      counts: {},
    });
    expect(await documents.findById(workspaceId, sibling.id)).toMatchObject({
      status: 'failed',
      stage: 'done',
      error: 'late failure',
      counts,
    });
  });
  it("an attachment's document row and its created-by-message link commit together", async () => {
    const message = newDocument(`message ${randomBytes(8).toString('hex')}`);
    await documents.insertIfAbsent(message);
    const attachment = newDocument(`attachment ${randomBytes(8).toString('hex')}`);
    const link = (documentId: string) => (client: Parameters<typeof attachments.linkWithin>[0]) =>
      attachments.linkWithin(client, workspaceId, message.id, [
        { position: 0, fileName: 'a.txt', documentId, createdByMessage: true },
      ]);

    // A link that cannot be written (its position is negative) takes the document row with it:
    // no attachment document can exist without the message knowing it brought it in.
    const brokenLink = (client: Parameters<typeof attachments.linkWithin>[0]) =>
      attachments.linkWithin(client, workspaceId, message.id, [
        { position: -1, fileName: 'a.txt', documentId: attachment.id, createdByMessage: true },
      ]);
    await expect(documents.insertIfAbsent(attachment, undefined, brokenLink)).rejects.toThrow(
      /check constraint/,
    );
    expect(await rowsWithShas([attachment.sha256])).toBe(0);

    expect(
      (await documents.insertIfAbsent(attachment, undefined, link(attachment.id))).created,
    ).toBe(true);
    expect(await attachments.ownedBy(workspaceId, message.id)).toEqual([attachment.id]);
    // A retry finds the row there (created: false) and its link says the message brought it in.
    const again = await documents.insertIfAbsent(attachment, undefined, link(attachment.id));
    expect(again.created).toBe(false);
    await attachments.link(workspaceId, message.id, [
      { position: 0, fileName: 'a.txt', documentId: attachment.id, createdByMessage: false },
    ]);
    expect(await attachments.ownedBy(workspaceId, message.id)).toEqual([attachment.id]);
  });
});
