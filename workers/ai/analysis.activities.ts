import {
  IMAGE_KINDS,
  MIME_BY_KIND,
  NeedsOcrError,
  UnprocessableDocumentError,
  chunkDocument,
  detectLanguage,
  extractText,
  ocrImage,
  ocrPdfPage,
  withTemporaryFile,
  type DocumentKind,
  type OcrPage,
} from '../../src/analysis';
import type { KnowledgeExtractor } from '../../src/extraction';
import type { Embedder } from '../../src/embedding/embedder';
import type { DocumentsRepository } from '../../src/documents/documents.repository';
import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { artifactKey, blobKey, importKey } from '../../src/stores/s3/blob-keys';
import { decodeSourceBundle, sourceBundleName } from '../../src/imports/source-bundle';
import {
  extractionHandoffKey,
  vectorsHandoffKey,
  type ChunksArtifact,
  type ExtractionHandoff,
} from '../../src/documents/artifacts';
import { chunkIdFor } from '../../src/documents/document-ids';
import type { DocumentBatch, ImportSources } from '../../src/documents/document.types';
import { mapWithConcurrency } from '../../src/common/concurrency';
import {
  encodeVectorsHandoff,
  readBatchChunks,
  writeChunksHandoff,
  writeJsonArtifact,
} from '../artifact-io';
import { embeddingSeconds, passagesEmbedded, secondsSince } from '../../src/observability/metrics';

export interface RejectedDocument {
  documentId: string;
  reason: string;
}

export interface AnalysisOutcome {
  analysed: string[];
  rejected: RejectedDocument[];
  /**
   * Documents with pages that have no text layer (scans, images), when OCR is on: nothing was
   * analysed; the workflow runs OCR on these pages and then analyses the batch again.
   */
  needsOcr?: ScannedPages[];
  /** Analysed e-mail messages, whose attachments become documents of their own. */
  messages?: string[];
}

export interface ScannedPages {
  documentId: string;
  pages: number[];
}

/** What OCR read from a document, kept beside its other artifacts until it is removed. */
interface OcrArtifact {
  pages?: OcrPage[];
  /** Why OCR could not read it (the document then fails with this reason). */
  failed?: string;
}

const ocrArtifactKey = (workspaceId: string, documentId: string) =>
  artifactKey(workspaceId, documentId, 'ocr.json');

const KIND_BY_MIME = new Map(
  Object.entries(MIME_BY_KIND).map(([kind, mime]) => [mime, kind as DocumentKind]),
);
/** Enough parallel I/O to hide MinIO round trips; CPU work itself is serial per worker. */
const IO_CONCURRENCY = 8;
/** Texts per embedding call: big enough to batch well, small enough to heartbeat often. */
const EMBEDDING_SLICE = 64;

export interface AnalysisDependencies {
  documents: DocumentsRepository;
  blobs: S3BlobStore;
  extractor: KnowledgeExtractor;
  embedder: () => Promise<Embedder>;
  /** Tells Temporal the activity is alive (a no-op outside an activity, e.g. in tests). */
  heartbeat: (details?: unknown) => void;
  /** OCR of scanned pages and images (CAIRN_OCR_ENABLED, CAIRN_OCR_LANGUAGES). */
  ocr: { enabled: boolean; languages: string };
}

/** CPU-bound steps of the pipeline, on the `ai` queue. Each reads and writes MinIO artifacts. */
export const createAnalysisActivities = (deps: AnalysisDependencies) => ({
  /**
   * Text extraction, language, chunking → the batch's chunks hand-off (keyed by the documents
   * that go on) and each document's language in Postgres. A document whose content cannot be
   * parsed is reported in `rejected` (for good: retrying cannot help); the others go on.
   */
  async analyseDocuments({
    workspaceId,
    documentIds,
    importSources,
    ocrDone,
  }: DocumentBatch & {
    importSources?: ImportSources;
    ocrDone?: boolean;
  }): Promise<AnalysisOutcome> {
    const records = await deps.documents.findManyByIds(workspaceId, documentIds);
    // An import batch's sources in one request; whatever the bundle lacks is read one by one.
    const bundled = importSources
      ? decodeSourceBundle(
          (await deps.blobs.getIfExists(
            importKey(
              workspaceId,
              importSources.importId,
              sourceBundleName(importSources.batchSize, importSources.batch),
            ),
          )) ?? Buffer.alloc(0),
        )
      : new Map<string, Buffer>();
    const found = new Set(records.map((record) => record.id));
    const rejected: RejectedDocument[] = documentIds
      .filter((documentId) => !found.has(documentId))
      .map((documentId) => ({ documentId, reason: 'the document no longer exists' }));
    const artifacts: ChunksArtifact[] = [];
    const needsOcr: ScannedPages[] = [];
    await mapWithConcurrency(records, IO_CONCURRENCY, async (record) => {
      const kind = KIND_BY_MIME.get(record.mime);
      const bytes =
        bundled.get(record.sha256) ?? (await deps.blobs.get(blobKey(workspaceId, record.sha256)));
      let extracted;
      try {
        if (!kind)
          throw new UnprocessableDocumentError(
            'corrupt_document',
            `unsupported type ${record.mime}`,
          );
        const ocrRead =
          deps.ocr.enabled && (kind === 'pdf' || IMAGE_KINDS.has(kind))
            ? await readOcrArtifact(deps.blobs, workspaceId, record.id)
            : undefined;
        if (ocrRead?.failed !== undefined) {
          throw new UnprocessableDocumentError('corrupt_document', ocrRead.failed);
        }
        extracted = await extractText(
          bytes,
          kind,
          {},
          { available: deps.ocr.enabled && !ocrDone, pages: ocrRead?.pages },
        );
      } catch (error) {
        if (error instanceof NeedsOcrError) {
          needsOcr.push({ documentId: record.id, pages: error.pages });
          return;
        }
        if (!(error instanceof UnprocessableDocumentError)) throw error;
        rejected.push({ documentId: record.id, reason: `${record.title}: ${error.message}` });
        return;
      }
      const artifact: ChunksArtifact = {
        documentId: record.id,
        title: extracted.title && record.title === '' ? extracted.title : record.title,
        language: detectLanguage(extracted.text),
        textLength: extracted.text.length,
        ...(extracted.pages ? { pageCount: extracted.pages.length } : {}),
        chunks: chunkDocument(extracted),
      };
      artifacts.push(artifact);
      deps.heartbeat(record.id);
      await new Promise((resolve) => setImmediate(resolve));
    });
    // Keep the caller's order so that the result is the same on every retry.
    const order = new Map(documentIds.map((documentId, index) => [documentId, index]));
    const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
    if (needsOcr.length > 0) {
      // Nothing is handed on yet: the batch is analysed again, whole, once OCR has run.
      needsOcr.sort((a, b) => byOrder(a.documentId, b.documentId));
      rejected.sort((a, b) => byOrder(a.documentId, b.documentId));
      return { analysed: [], rejected, needsOcr };
    }
    artifacts.sort((a, b) => byOrder(a.documentId, b.documentId));
    rejected.sort((a, b) => byOrder(a.documentId, b.documentId));
    if (artifacts.length > 0) {
      await deps.documents.setLanguages(
        workspaceId,
        artifacts.map(({ documentId, language }) => ({ documentId, language })),
      );
      await writeChunksHandoff(deps.blobs, workspaceId, artifacts);
    }
    const analysed = artifacts.map((artifact) => artifact.documentId);
    const messages = records
      .filter((record) => KIND_BY_MIME.get(record.mime) === 'eml' && analysed.includes(record.id))
      .map((record) => record.id)
      .sort(byOrder);
    return { analysed, rejected, ...(messages.length > 0 ? { messages } : {}) };
  },

  /**
   * OCR of a document's pages without a text layer (or of an image), page by page with a
   * heartbeat each; the text and each page's confidence go to the document's OCR artifact, which
   * the next analysis reads. A document OCR cannot read gets the reason there instead.
   */
  async readScannedPages({
    workspaceId,
    documentId,
    pages,
  }: ScannedPages & { workspaceId: string }): Promise<number> {
    const [record] = await deps.documents.findManyByIds(workspaceId, [documentId]);
    if (!record) return 0;
    const kind = KIND_BY_MIME.get(record.mime);
    const bytes = await deps.blobs.get(blobKey(workspaceId, record.sha256));
    const options = { languages: deps.ocr.languages };
    const read: OcrPage[] = [];
    let artifact: OcrArtifact;
    try {
      if (kind !== undefined && IMAGE_KINDS.has(kind)) {
        read.push(await ocrImage(bytes, options));
        deps.heartbeat(1);
      } else {
        await withTemporaryFile(bytes, async (path) => {
          for (const page of pages) {
            read.push(await ocrPdfPage(path, page, options));
            deps.heartbeat(page);
          }
        });
      }
      artifact = { pages: read };
    } catch (error) {
      if (!(error instanceof UnprocessableDocumentError)) throw error;
      artifact = { failed: error.message };
    }
    await writeJsonArtifact(deps.blobs, ocrArtifactKey(workspaceId, documentId), artifact);
    return read.length;
  },

  /**
   * Entities and relations per document (resolved later against the graph), handed to writeGraph
   * in one object for the batch.
   */
  async extractKnowledge({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    let entities = 0;
    const batchChunks = await readBatchChunks(deps.blobs, workspaceId, documentIds);
    const documents = await mapWithConcurrency(batchChunks, IO_CONCURRENCY, async (chunks) => {
      const { documentId } = chunks;
      const result = await deps.extractor.extract(
        chunks.chunks.map((chunk) => ({
          id: chunkIdFor(documentId, chunk.ord),
          text: chunk.text,
          title: chunks.title,
        })),
      );
      entities += result.entities.length;
      deps.heartbeat(documentId);
      // Extraction is synchronous CPU work: let the worker's event loop breathe between documents.
      await new Promise((resolve) => setImmediate(resolve));
      return { documentId, extractor: deps.extractor.name, ...result };
    });
    const handoff: ExtractionHandoff = { documents };
    await writeJsonArtifact(deps.blobs, extractionHandoffKey(workspaceId, documentIds), handoff);
    return entities;
  },

  /** Embeds every chunk (title + text) with the local model, handed to indexVectors as one object. */
  async embedChunks({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    const embedder = await deps.embedder();
    const artifacts = await readBatchChunks(deps.blobs, workspaceId, documentIds);
    const texts = artifacts.flatMap((artifact) =>
      artifact.chunks.map((chunk) => `${artifact.title}\n${chunk.text}`),
    );
    // Slices of texts of similar length (the model pads each forward pass to its longest text);
    // slices also let the activity heartbeat while a large import batch is embedded.
    const byLength = texts
      .map((_, index) => index)
      .sort((a, b) => texts[a].length - texts[b].length);
    const vectors = new Array<Float32Array>(texts.length);
    let embedded = 0;
    for (let start = 0; start < byLength.length; start += EMBEDDING_SLICE) {
      const slice = byLength.slice(start, start + EMBEDDING_SLICE);
      const startedAt = process.hrtime.bigint();
      const sliceVectors = await embedder.embed(slice.map((index) => texts[index]));
      slice.forEach((textIndex, position) => (vectors[textIndex] = sliceVectors[position]));
      passagesEmbedded.inc({ purpose: 'index' }, slice.length);
      embeddingSeconds.inc({ purpose: 'index' }, secondsSince(startedAt));
      embedded += slice.length;
      deps.heartbeat(`${embedded}/${texts.length}`);
    }
    let offset = 0;
    const documents = artifacts.map((artifact) => {
      const own = vectors.slice(offset, offset + artifact.chunks.length);
      offset += artifact.chunks.length;
      return { documentId: artifact.documentId, vectors: own };
    });
    const bytes = encodeVectorsHandoff(embedder.dimensions, documents);
    await deps.blobs.put(
      vectorsHandoffKey(workspaceId, documentIds),
      bytes,
      bytes.length,
      'application/octet-stream',
    );
    return texts.length;
  },
});

async function readOcrArtifact(
  blobs: S3BlobStore,
  workspaceId: string,
  documentId: string,
): Promise<OcrArtifact | undefined> {
  const bytes = await blobs.getIfExists(ocrArtifactKey(workspaceId, documentId));
  return bytes ? (JSON.parse(bytes.toString('utf8')) as OcrArtifact) : undefined;
}
