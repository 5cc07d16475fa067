import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unwrap } from '../../client';
import { followDocument } from '../../client/follow';
import { UsageError } from '../context';
import { action } from '../action';
import { formatBytes, formatDuration, truncate } from '../output';
import { ProgressBoard } from '../progress';

const STATUSES = ['pending', 'processing', 'indexed', 'failed', 'deleting'];
const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '');

export function registerDocumentCommands(program: Command): void {
  const docs = program.command('docs').description('the documents of the workspace');

  docs
    .command('ls')
    .description('list documents, newest first')
    .option('--status <status>', STATUSES.join(' | '))
    .option('--limit <n>', 'at most this many (1–100)', '20')
    .option('--offset <n>', 'skip this many', '0')
    .action(
      action<[{ status?: string; limit: string; offset: string }]>(async (context, options) => {
        if (options.status && !STATUSES.includes(options.status)) {
          throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
        }
        context.requireWorkspace();
        const page = unwrap(
          await context.client.GET('/documents', {
            params: {
              query: {
                ...(options.status ? { status: options.status as 'indexed' } : {}),
                limit: Number(options.limit),
                offset: Number(options.offset),
              },
            },
          }),
        );
        context.out.result(page, () => {
          const { c } = context.out;
          context.out.table(
            ['id', 'status', 'title', 'type', 'size', 'chunks', 'updated'],
            page.items.map((doc) => [
              doc.id,
              doc.status === 'indexed'
                ? c.green(doc.status)
                : doc.status === 'failed'
                  ? c.red(doc.status)
                  : doc.status,
              truncate(doc.title, 40),
              doc.mime,
              formatBytes(doc.sizeBytes),
              doc.counts?.chunks,
              when(doc.updatedAt),
            ]),
          );
          const total = (page as { total?: number }).total;
          if (total !== undefined) context.out.note(`${page.items.length} of ${total}`);
        });
      }),
    );

  docs
    .command('show <id>')
    .description('status, stage timings, counts and error of a document')
    .option('--follow', 'follow it until it is indexed or failed')
    .action(
      action<[string, { follow?: boolean }]>(async (context, id, options) => {
        context.requireWorkspace();
        if (options.follow) {
          const board = new ProgressBoard(context.out);
          const line = board.item(id, 100);
          try {
            await followDocument(context.client, id, {
              onEvent: (event) =>
                line.update(event.status === 'indexed' ? 100 : 50, event.stage ?? event.status),
            });
          } finally {
            board.stop();
          }
        }
        const doc = unwrap(
          await context.client.GET('/documents/{id}', { params: { path: { id } } }),
        );
        context.out.result(doc, () => {
          const { c, line } = { c: context.out.c, line: context.out.line.bind(context.out) };
          const rows: [string, string | number | null | undefined][] = [
            ['id', doc.id],
            ['title', doc.title],
            ['status', doc.status],
            ['stage', doc.stage],
            ['type', `${doc.mime}, ${formatBytes(doc.sizeBytes)}`],
            [
              'counts',
              Object.entries(doc.counts ?? {})
                .map(([key, value]) => `${key} ${String(value)}`)
                .join(', '),
            ],
            ['error', doc.error],
            ['created', when(doc.createdAt)],
            ['updated', when(doc.updatedAt)],
            ['workflow', doc.temporalUiUrl ?? doc.workflowId],
          ];
          for (const [label, value] of rows) {
            if (value !== null && value !== undefined && value !== '')
              line(`${c.dim(label.padEnd(10))}${String(value)}`);
          }
          const timings = Object.entries(doc.stageTimings ?? {}).sort(([, a], [, b]) =>
            a.startedAt.localeCompare(b.startedAt),
          );
          if (timings.length > 0) {
            line();
            context.out.table(
              ['stage', 'started', 'took'],
              timings.map(([stage, timing]) => [
                stage,
                when(timing.startedAt),
                timing.durationMs !== undefined ? formatDuration(timing.durationMs) : 'running',
              ]),
            );
          }
        });
      }),
    );

  docs
    .command('rm <ids...>')
    .description('delete documents and exactly what they contributed')
    .action(
      action<[string[]]>(async (context, ids) => {
        context.requireWorkspace();
        const accepted = [];
        for (const id of ids) {
          accepted.push(
            unwrap(await context.client.DELETE('/documents/{id}', { params: { path: { id } } })),
          );
          context.out.line(`Deleting ${id}.`);
        }
        if (context.out.json) context.out.data(accepted);
      }),
    );

  for (const [name, path, what] of [
    ['retry', '/documents/{id}/retry', 'retry a failed document'],
    [
      'reprocess',
      '/documents/{id}/reprocess',
      'run the pipeline again, replacing the previous result',
    ],
  ] as const) {
    docs
      .command(`${name} <id>`)
      .description(what)
      .action(
        action<[string]>(async (context, id) => {
          context.requireWorkspace();
          const accepted = unwrap(await context.client.POST(path, { params: { path: { id } } }));
          context.out.result(accepted, () =>
            context.out.line(`${id}: ${accepted.status} (follow: cairn docs show ${id} --follow)`),
          );
        }),
      );
  }

  docs
    .command('chunks <id>')
    .description('the chunks of an indexed document, with offsets and pages')
    .action(
      action<[string]>(async (context, id) => {
        context.requireWorkspace();
        const result = unwrap(
          await context.client.GET('/documents/{id}/chunks', { params: { path: { id } } }),
        );
        context.out.result(result, () => {
          const { c } = context.out;
          for (const chunk of result.chunks) {
            const page =
              chunk.page !== null && chunk.page !== undefined ? `, page ${chunk.page}` : '';
            context.out.line(c.bold(`#${chunk.ord} [${chunk.start}–${chunk.end}${page}]`));
            context.out.line(chunk.text);
            context.out.line();
          }
        });
      }),
    );

  docs
    .command('download <id>')
    .description('the original bytes, to a file (or stdout with -o -)')
    .option('-o, --output <path>', 'where to write (default: the document title in this folder)')
    .action(
      action<[string, { output?: string }]>(async (context, id, options) => {
        context.requireWorkspace();
        const doc = unwrap(
          await context.client.GET('/documents/{id}', { params: { path: { id } } }),
        );
        const result = await context.client.GET('/documents/{id}/content', {
          params: { path: { id } },
          parseAs: 'stream',
        });
        unwrap(result);
        const body = result.response.body;
        if (!body) throw new Error('the API sent no content');
        const target = options.output ?? doc.title.replace(/[/\\\0]/g, '_');
        const source = Readable.fromWeb(
          body as import('node:stream/web').ReadableStream<Uint8Array>,
        );
        if (target === '-') {
          await pipeline(source, process.stdout);
          return;
        }
        await pipeline(source, createWriteStream(target, { flags: 'wx' }));
        context.out.result({ id, path: target, sizeBytes: doc.sizeBytes }, () =>
          context.out.line(`Wrote ${target} (${formatBytes(doc.sizeBytes)}).`),
        );
      }),
    );
}
