import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DocumentCounts, DocumentStage, ImportSources } from '../src/documents/document.types';
import { StageAttribute } from '../src/pipeline/search-attributes';
import { ai, attachments, bookkeeping, notifications, ocr, storage } from './document-activities';
import { HANDOFF_MISSING } from '../src/pipeline/handoffs';

/**
 * Runs that started after steps began handing each other one object per batch (instead of one
 * per document) delete those objects once the batch is indexed. Older histories replay without.
 */
const RELEASES_BATCH_HANDOFFS = 'release-batch-handoffs';
/**
 * Runs that started after embedding stopped waiting for the graph: the chunks are embedded while
 * knowledge is extracted and written (the ai worker would otherwise sit idle while Neo4j writes),
 * and the vectors stage waits for that embedding. Older histories replay in the old order.
 */
const EMBEDS_BESIDE_GRAPH = 'embed-beside-graph';

/**
 * Runs that started after the graph write began returning what each document contributes take
 * those counts instead of reading them back from Neo4j in a step of their own. Older histories
 * replay with the read.
 */
const COUNTS_FROM_GRAPH_WRITE = 'counts-from-graph-write';

/**
 * Runs whose analysis found pages without a text layer (scans, images) have them read by OCR,
 * one activity per document, and analyse the batch again. Older histories never asked for it.
 */
const READS_SCANNED_PAGES = 'read-scanned-pages';

/**
 * Runs whose analysis found e-mail messages turn the messages' attachments into documents of
 * their own, linked to the message. Older histories never saw `messages` in the analysis.
 */
const TAKES_ATTACHMENTS = 'take-email-attachments';

/**
 * Runs that index a new version of a source withdraw the version it replaced (markIndexed made
 * the new one current and says which it replaced). Older histories got nothing back from
 * markIndexed and never reach this.
 */
const WITHDRAWS_REPLACED_VERSIONS = 'withdraw-replaced-versions';
/** Lets a search that read the visible versions just before the switch finish on the old one. */
const VERSION_SWITCH_GRACE = '3s';

export interface ProcessDocumentsInput {
  workspaceId: string;
  /** One document for an upload; many for a bulk import batch. */
  documentIds: string[];
  /** An import batch's: where its sources may be bundled (see src/imports/source-bundle.ts). */
  importSources?: ImportSources;
}

export interface ProcessDocumentsResult {
  counts: Record<string, DocumentCounts>;
  /** Documents whose content could not be parsed, with the reason (marked failed). */
  rejected: { documentId: string; reason: string }[];
}

export type ProcessDocumentInput = { workspaceId: string; documentId: string };

/**
 * The document pipeline for one or many documents of a workspace:
 * analyse → extract → graph → vectors → notify. Every step is an idempotent activity whose
 * results live in MinIO; a crash resumes at the step that was running.
 */
export async function processDocumentsWorkflow(
  input: ProcessDocumentsInput,
): Promise<ProcessDocumentsResult> {
  const { workspaceId } = input;
  let documentIds = input.documentIds;
  const enter = async (stage: DocumentStage) => {
    // Temporal's `log` is replay-safe: a replayed history does not repeat these lines.
    log.info('document stage', { workspaceId, documentIds, stage });
    upsertSearchAttributes([{ key: StageAttribute, value: stage }]);
    await bookkeeping.enterStage({ workspaceId, documentIds, stage });
  };
  const releasesHandoffs = patched(RELEASES_BATCH_HANDOFFS);
  try {
    // A second pass only when a step found its hand-off gone (a reset after the run released it).
    for (let pass = 1; ; pass++) {
      await enter('analyse');
      let outcome = await ai.analyseDocuments(input);
      if (outcome.needsOcr?.length && patched(READS_SCANNED_PAGES)) {
        for (const scanned of outcome.needsOcr) {
          await ocr.readScannedPages({ workspaceId, ...scanned });
        }
        outcome = await ai.analyseDocuments({ ...input, ocrDone: true });
      }
      const { analysed, rejected } = outcome;
      for (const { documentId, reason } of rejected) {
        await bookkeeping.markFailed({ workspaceId, documentIds: [documentId], error: reason });
      }
      documentIds = analysed;
      if (documentIds.length === 0) {
        upsertSearchAttributes([{ key: StageAttribute, value: 'failed' }]);
        if (input.documentIds.length === 1) {
          throw ApplicationFailure.nonRetryable(
            rejected[0]?.reason ?? 'nothing to process',
            'Unprocessable',
          );
        }
        return { counts: {}, rejected };
      }
      const batch = { workspaceId, documentIds };
      if (outcome.messages?.length && patched(TAKES_ATTACHMENTS)) {
        await attachments.takeAttachments({ workspaceId, documentIds: outcome.messages });
      }
      // The embedding running beside extraction and graph, if any.
      let embedding: Promise<number> | undefined;
      // Undefined when a worker of an older release ran the graph write.
      let written: Record<string, DocumentCounts> | undefined;
      try {
        if (patched(EMBEDS_BESIDE_GRAPH)) {
          embedding = ai.embedChunks(batch);
          // Its failure surfaces where the vectors stage awaits it, not as an unhandled rejection.
          embedding.catch(() => undefined);
        }
        await enter('extract');
        await ai.extractKnowledge(batch);
        await enter('graph');
        written = await storage.writeGraph(batch);
        await enter('vectors');
        await (embedding ?? ai.embedChunks(batch));
        await storage.indexVectors(batch);
      } catch (error) {
        // Settled before anything removes hand-offs, so that it cannot write one after they are gone.
        await embedding?.catch(() => undefined);
        if (pass === 1 && isHandoffMissing(error)) {
          log.warn('a hand-off between steps is gone; running the documents again', {
            workspaceId,
            documentIds,
          });
          continue;
        }
        throw error;
      }
      if (releasesHandoffs) await storage.releaseHandoffs(batch);
      await enter('notify');
      const counts =
        patched(COUNTS_FROM_GRAPH_WRITE) && written
          ? written
          : await storage.countContributions(batch);
      // Undefined when a worker of an older release marked them.
      const switched: { replaced: string[] } | undefined = await bookkeeping.markIndexed({
        workspaceId,
        counts,
      });
      upsertSearchAttributes([{ key: StageAttribute, value: 'done' }]);
      await notifications.notifyIndexed(batch);
      if (switched?.replaced.length && patched(WITHDRAWS_REPLACED_VERSIONS)) {
        await withdrawReplacedVersions(workspaceId, switched.replaced);
      }
      return { counts, rejected };
    }
  } catch (error) {
    if (isCancellation(error)) {
      // The delete workflow cleans up the documents; the batch's hand-offs are this run's own.
      if (releasesHandoffs) {
        await CancellationScope.nonCancellable(() =>
          storage.releaseHandoffs({ workspaceId, documentIds }),
        );
      }
      throw error;
    }
    const reason = failureReason(error);
    log.warn('document processing failed', { workspaceId, documentIds, reason });
    upsertSearchAttributes([{ key: StageAttribute, value: 'failed' }]);
    // No partial knowledge survives a failure: take back whatever the documents contributed.
    await storage.removeContributions({ workspaceId, documentIds, keepBlobs: true });
    await bookkeeping.markFailed({ workspaceId, documentIds, error: reason });
    throw ApplicationFailure.nonRetryable(reason, 'DocumentProcessingFailed');
  }
}

/**
 * Takes back exactly what replaced versions contributed (shared knowledge stays: the graph
 * derives each entity from the contributions that remain) and removes their rows. Searches
 * stopped seeing them when the new version became current.
 */
async function withdrawReplacedVersions(workspaceId: string, replaced: string[]): Promise<void> {
  try {
    await sleep(VERSION_SWITCH_GRACE);
    await storage.removeContributions({ workspaceId, documentIds: replaced, keepBlobs: false });
    for (const documentId of replaced) {
      await bookkeeping.removeDocumentRow({ workspaceId, documentId });
    }
  } catch (error) {
    if (isCancellation(error)) throw error;
    // The new version is indexed and current whatever happens here: its run must not fail (the
    // failure path would take back the new version). The old one stays hidden from searches.
    log.error('a replaced version could not be withdrawn', {
      workspaceId,
      replaced,
      reason: failureReason(error),
    });
  }
}

/** The single-document form the upload starts; same pipeline, one id. */
export async function processDocumentWorkflow(
  input: ProcessDocumentInput,
): Promise<ProcessDocumentsResult> {
  return processDocumentsWorkflow({
    workspaceId: input.workspaceId,
    documentIds: [input.documentId],
  });
}

function isHandoffMissing(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === HANDOFF_MISSING
  );
}

/** The most readable message of a failure chain (activity failures wrap the real cause). */
function failureReason(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof Error) return current.message;
  return String(current);
}
