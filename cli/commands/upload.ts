import type { Command } from 'commander';
import { followDocument, FollowTimeout, type DocumentEvent } from '../../client/follow';
import { uploadDocument } from '../../client/upload';
import { type CliContext, UsageError } from '../context';
import { expandInputs, fileSource, type InputFile } from '../files';
import { action, describeError } from '../action';
import { formatBytes, formatDuration } from '../output';
import type { ProgressLine } from '../progress';
import { ProgressBoard } from '../progress';
import { clientOptions } from '../upload-options';

interface UploadOptions {
  concurrency: string;
  wait?: boolean;
  timeout: string;
  title?: string;
  sourceKey?: string;
}

export interface UploadResult {
  file: string;
  documentId: string | null;
  status: 'uploaded' | 'indexed' | 'failed' | 'timeout';
  error: string | null;
  counts: DocumentEvent['counts'] | null;
  ms: number;
}

// A file's bar: the upload's bytes fill the first 40 %, the pipeline's stages the rest.
const UPLOAD_SHARE = 40;
const STAGE_PROGRESS: Record<string, number> = {
  analyse: 50,
  extract: 60,
  graph: 75,
  vectors: 88,
  notify: 95,
};

/** Runs `work` over the items with at most `limit` at once, in order of the list. */
export async function forEachLimited<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  });
  await Promise.all(lanes);
}

async function uploadOne(
  context: CliContext,
  file: InputFile,
  bar: ProgressLine,
  options: { wait: boolean; timeoutMs: number; title?: string; sourceKey?: string },
): Promise<UploadResult> {
  const started = Date.now();
  const result = (partial: Partial<UploadResult>): UploadResult => ({
    file: file.label,
    documentId: null,
    status: 'failed',
    error: null,
    counts: null,
    ms: Date.now() - started,
    ...partial,
  });
  let documentId: string | null = null;
  try {
    const accepted = await uploadDocument(clientOptions(context), fileSource(file), {
      title: options.title,
      sourceKey: options.sourceKey,
      onProgress: (sent) => {
        const share = file.sizeBytes > 0 ? (sent / file.sizeBytes) * UPLOAD_SHARE : UPLOAD_SHARE;
        bar.update(share, 'uploading', `${formatBytes(sent)} of ${formatBytes(file.sizeBytes)}`);
      },
    });
    documentId = accepted.id;
    if (!options.wait) {
      bar.update(100, 'uploaded');
      return result({ documentId, status: 'uploaded' });
    }
    bar.update(UPLOAD_SHARE, 'queued');
    // A new version under a source key is followed by its own id (the document shows the
    // current version until the new one is indexed).
    const last = await followDocument(context.client, accepted.versionId ?? documentId, {
      timeoutMs: options.timeoutMs,
      onEvent: (event) => {
        // The final state is the line's finish, printed once by the caller.
        if (event.status === 'indexed' || event.status === 'failed') return;
        const stage = event.stage ?? '';
        const state = event.status === 'processing' ? stage : event.status;
        bar.update(STAGE_PROGRESS[stage] ?? UPLOAD_SHARE, state);
      },
    });
    if (last.status === 'indexed') {
      return result({ documentId, status: 'indexed', counts: last.counts ?? null });
    }
    return result({
      documentId,
      status: 'failed',
      error: last.status === 'deleted' ? 'deleted while processing' : (last.error ?? 'failed'),
    });
  } catch (error) {
    if (error instanceof FollowTimeout) {
      return result({ documentId, status: 'timeout', error: 'not indexed before --timeout' });
    }
    return result({ documentId, status: 'failed', error: describeError(error) });
  }
}

export function registerUploadCommand(program: Command): void {
  program
    .command('upload <paths...>')
    .description(
      'upload files, folders (walked) and quoted globs ("docs/**/*.md"), several at once; --wait follows each to indexed or failed',
    )
    .option('-c, --concurrency <n>', 'uploads in flight at once (1–16)', '4')
    .option('--wait', 'follow each document until it is indexed or failed')
    .option('--timeout <seconds>', 'with --wait: give up on a document after this long', '600')
    .option('--title <title>', 'the title (one file only; else the file name)')
    .option(
      '--source-key <key>',
      'where the file lives (one file only): other bytes under the same key are a new version of the same document',
    )
    .action(
      action<[string[], UploadOptions]>(async (context, paths, options) => {
        const concurrency = Number(options.concurrency);
        // With --wait each upload in flight follows one event stream, and the API allows a user
        // CAIRN_MAX_EVENT_STREAMS_PER_USER (20 by default) at once.
        if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
          throw new UsageError('--concurrency must be a whole number from 1 to 16');
        }
        const timeoutMs = Number(options.timeout) * 1000;
        if (!(timeoutMs > 0))
          throw new UsageError('--timeout must be a positive number of seconds');
        context.requireWorkspace();
        const files = await expandInputs(paths);
        if (options.title && files.length > 1)
          throw new UsageError('--title needs exactly one file');
        if (options.sourceKey !== undefined && files.length > 1)
          throw new UsageError('--source-key needs exactly one file');

        const { out } = context;
        const board = new ProgressBoard(out);
        const overall = board.overall(options.wait ? 'indexed' : 'uploaded', files.length);
        const results: UploadResult[] = new Array<UploadResult>(files.length);
        let done = 0;
        let failed = 0;
        const startedAt = Date.now();
        try {
          await forEachLimited(files, concurrency, async (file, index) => {
            const bar = board.item(file.label, 100);
            const outcome = await uploadOne(context, file, bar, {
              wait: options.wait === true,
              timeoutMs,
              title: options.title,
              sourceKey: options.sourceKey,
            });
            results[index] = outcome;
            const ok = outcome.status === 'indexed' || outcome.status === 'uploaded';
            if (ok) done += 1;
            else failed += 1;
            bar.finish(
              ok
                ? `${outcome.status} ${outcome.documentId} in ${formatDuration(outcome.ms)}`
                : `${outcome.status}: ${outcome.error}`,
            );
            overall.update(done, failed, files.length);
          });
        } finally {
          board.stop();
        }

        out.result(results, () => {
          const { c } = out;
          out.line();
          out.table(
            ['file', 'document', 'status', 'chunks', 'entities', 'time', 'error'],
            results.map((row) => [
              row.file,
              row.documentId ?? '',
              row.status === 'indexed' || row.status === 'uploaded'
                ? c.green(row.status)
                : c.red(row.status),
              row.counts?.chunks,
              row.counts?.entities,
              formatDuration(row.ms),
              row.error,
            ]),
          );
          out.line(
            `${files.length} file(s): ${done} ${options.wait ? 'indexed' : 'uploaded'}, ${failed} failed, in ${formatDuration(Date.now() - startedAt)}`,
          );
        });
        if (failed > 0) {
          for (const row of results.filter((item) => item.error)) {
            process.stderr.write(`cairn: ${row.file}: ${row.error}\n`);
          }
          process.exitCode = 1;
        }
      }),
    );
}
