import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { unwrap } from '../../client';
import { followImport, type ImportEvent } from '../../client/follow';
import { startImport, type UploadSource } from '../../client/upload';
import { type CliContext, UsageError } from '../context';
import { expandInputs, fileSource, type InputFile } from '../files';
import { action } from '../action';
import { formatBytes, formatDuration } from '../output';
import { ProgressBoard } from '../progress';
import { clientOptions } from '../upload-options';

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

/**
 * A folder as a tar archive packed while it is sent: nothing is written to disk, and each try of
 * the upload packs it anew. Entry names are relative to the folder, '/'-separated.
 */
export function folderAsTar(folder: string, files: InputFile[]): UploadSource {
  return {
    fileName: `${basename(resolve(folder))}.tar`,
    open: () => {
      const pack = tar.pack();
      void (async () => {
        for (const file of files) {
          const name = relative(resolve(folder), file.path).split(sep).join('/');
          const entry = pack.entry({ name, size: file.sizeBytes, mode: 0o644, type: 'file' });
          await pipeline(createReadStream(file.path), entry);
        }
        pack.finalize();
      })().catch((error: Error) => pack.destroy(error));
      // tar-stream's Pack is a streamx stream: async-iterable, but not a Node Readable that
      // Readable.toWeb accepts as it is.
      return Readable.toWeb(Readable.from(pack)) as ReadableStream<Uint8Array>;
    },
  };
}

function importFinal(event: ImportEvent): boolean {
  return event.status === 'completed';
}

async function followWithBar(
  context: CliContext,
  importId: string,
  label: string,
): Promise<ImportEvent> {
  const board = new ProgressBoard(context.out);
  const overall = board.overall(label, 0);
  try {
    return await followImport(context.client, importId, {
      onEvent: (event) => overall.update(event.done, event.failed, event.total, event.status),
    });
  } finally {
    board.stop();
  }
}

function printImport(context: CliContext, event: ImportEvent, startedAt?: number): void {
  const { out } = context;
  out.result(event, () => {
    const colour = importFinal(event) ? out.c.green : out.c.red;
    const took = startedAt ? ` in ${formatDuration(Date.now() - startedAt)}` : '';
    out.line(
      `Import ${event.importId}: ${colour(event.status)}, ${event.done} done, ${event.failed} failed of ${event.total}${took}`,
    );
    if (event.error) out.line(`error: ${event.error}`);
    if (event.failed > 0) out.line(`Details: cairn imports show ${event.importId}`);
  });
  if (!importFinal(event)) process.exitCode = 1;
}

export function registerImportCommands(program: Command): void {
  program
    .command('import <source>')
    .description(
      'bulk import: a JSONL file of {"title","text"} lines, a zip / tar(.gz) archive, or a folder (packed into a tar on the fly); follows the import with one bar',
    )
    .option('--batch-size <n>', 'documents per batch workflow (1–256)')
    .option('--parallel-batches <n>', 'batches at once (1–8)')
    .option('--no-wait', 'print the import id and return at once')
    .action(
      action<[string, { batchSize?: string; parallelBatches?: string; wait: boolean }]>(
        async (context, sourcePath, options) => {
          context.requireWorkspace();
          let info;
          try {
            info = await stat(sourcePath);
          } catch {
            throw new UsageError(`${sourcePath}: no such file or folder`);
          }
          let source: UploadSource;
          let description: string;
          if (info.isDirectory()) {
            const files = await expandInputs([sourcePath]);
            source = folderAsTar(sourcePath, files);
            const bytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
            description = `${files.length} files, ${formatBytes(bytes)}, packed as ${source.fileName}`;
          } else {
            const [file] = await expandInputs([sourcePath]);
            source = fileSource(file);
            description = formatBytes(file.sizeBytes);
          }
          const startedAt = Date.now();
          context.out.note(`Sending ${sourcePath} (${description})…`);
          const accepted = await startImport(clientOptions(context), source, {
            batchSize: options.batchSize ? Number(options.batchSize) : undefined,
            parallelBatches: options.parallelBatches ? Number(options.parallelBatches) : undefined,
          });
          if (!options.wait) {
            context.out.result(accepted, () =>
              context.out.line(`Import ${accepted.id} started: cairn imports show ${accepted.id}`),
            );
            return;
          }
          context.out.note(`Import ${accepted.id} started.`);
          const last = await followWithBar(
            context,
            accepted.id,
            `import ${accepted.id.slice(0, 8)}`,
          );
          printImport(context, last, startedAt);
        },
      ),
    );

  const imports = program.command('imports').description('bulk imports of the workspace');
  imports
    .command('ls')
    .description('list imports, newest first')
    .option('--limit <n>', 'at most this many', '20')
    .action(
      action<[{ limit: string }]>(async (context, options) => {
        context.requireWorkspace();
        const page = unwrap(
          await context.client.GET('/imports', {
            params: { query: { limit: Number(options.limit) } },
          }),
        );
        context.out.result(page, () =>
          context.out.table(
            ['id', 'status', 'done', 'failed', 'total', 'source', 'created'],
            page.items.map((item) => [
              item.id,
              item.status,
              item.done,
              item.failed,
              item.total,
              item.source,
              when(item.createdAt),
            ]),
          ),
        );
      }),
    );
  imports
    .command('show <id>')
    .description('one import: progress, and the entries it refused with their reasons')
    .option('--follow', 'follow it with a bar until it ends')
    .action(
      action<[string, { follow?: boolean }]>(async (context, id, options) => {
        context.requireWorkspace();
        if (options.follow) {
          printImport(context, await followWithBar(context, id, `import ${id.slice(0, 8)}`));
          return;
        }
        const record = unwrap(
          await context.client.GET('/imports/{id}', { params: { path: { id } } }),
        );
        context.out.result(record, () => {
          const { c } = context.out;
          const rows: [string, string | number | null][] = [
            ['id', record.id],
            ['status', record.status],
            ['source', record.source],
            ['progress', `${record.done} done, ${record.failed} failed of ${record.total}`],
            ['error', record.error],
            ['created', when(record.createdAt)],
            ['updated', when(record.updatedAt)],
            ['workflow', record.temporalUiUrl],
          ];
          for (const [label, value] of rows) {
            if (value !== null && value !== '')
              context.out.line(`${c.dim(label.padEnd(10))}${value}`);
          }
          if (record.rejected?.length) {
            context.out.line();
            context.out.table(
              ['refused entry', 'reason'],
              record.rejected.map((item) => [item.entry, item.reason]),
            );
          }
        });
      }),
    );
  imports
    .command('retry <id>')
    .description('run an import that ended with errors again, for the documents it did not index')
    .option('--no-wait', 'return at once')
    .action(
      action<[string, { wait: boolean }]>(async (context, id, options) => {
        context.requireWorkspace();
        const accepted = unwrap(
          await context.client.POST('/imports/{id}/retry', { params: { path: { id } } }),
        );
        if (!options.wait) {
          context.out.result(accepted, () => context.out.line(`Import ${id} running again.`));
          return;
        }
        printImport(
          context,
          await followWithBar(context, id, `import ${id.slice(0, 8)}`),
          Date.now(),
        );
      }),
    );
}
