import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { buildZip } from '../../test/support/documents/document-fixtures';
import { CairnError } from '../common/errors/cairn-error';
import {
  type ImportItem,
  importLimits,
  maxJsonlLineLength,
  readImportItems,
} from './import-records';

describe('JSONL import records', () => {
  let folder: string;
  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'cairn-jsonl-spec-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  let fileCount = 0;
  function fileWith(content: string): string {
    const path = join(folder, `source-${(fileCount += 1)}.jsonl`);
    writeFileSync(path, content);
    return path;
  }

  async function readAll(path: string, maxDocumentBytes = 50 * 1024 * 1024): Promise<ImportItem[]> {
    const items: ImportItem[] = [];
    const limits = importLimits(10 * maxDocumentBytes, maxDocumentBytes);
    for await (const item of readImportItems(path, 'jsonl', limits)) items.push(item);
    return items;
  }

  const record = (title: string, text: string) => JSON.stringify({ title, text });

  it('reads records split across any chunk boundary, with or without a final newline', async () => {
    const long = 'x'.repeat(200_000); // spans several 64 KiB read chunks
    const items = await readAll(
      fileWith(`${record('a', long)}\r\n\n${record('b', 'short')}\n${record('c', 'last')}`),
    );
    expect(items.map((item) => item.kind === 'document' && item.title)).toEqual(['a', 'b', 'c']);
    expect(items.map((item) => item.entry)).toEqual(['line 1', 'line 3', 'line 4']);
    expect(items[0].kind === 'document' && items[0].bytes.length).toBe(200_000);
  });

  it('refuses a line over the per-line cap with a 400 that names the line', async () => {
    const maxDocumentBytes = 100_000;
    const limit = maxJsonlLineLength(importLimits(1e6, maxDocumentBytes));
    const path = fileWith(`${record('ok', 'fine')}\n${record('big', 'y'.repeat(limit))}\n`);
    const failure = await readAll(path, maxDocumentBytes).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CairnError);
    expect((failure as CairnError).code).toBe('invalid_input');
    expect((failure as CairnError).message).toMatch(/^Line 2 of the JSONL file is longer than/);
  });

  it('parses one long line in time linear in its length, like the same bytes in short lines', async () => {
    // 24 MB of text as one record, and as 24,000 records of 1 KB (the probe's 50 MB line took
    // 13 times as long as the same bytes in short lines when lines were searched quadratically).
    const size = 24 * 1024 * 1024;
    const oneLine = fileWith(`${record('one', 'z'.repeat(size))}\n`);
    const shortLines = fileWith(
      Array.from({ length: size / 1024 }, (_, i) => record(`t${i}`, 'z'.repeat(1024))).join('\n'),
    );
    const timed = async (path: string) => {
      const started = process.hrtime.bigint();
      await readAll(path);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await timed(shortLines); // warm the JIT
    const shortMs = await timed(shortLines);
    const longMs = await timed(oneLine);
    expect(longMs).toBeLessThan(3 * shortMs + 500);
  }, 60_000);
});

describe('tar.gz import records', () => {
  let folder: string;
  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'cairn-targz-spec-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  async function tarOf(files: { name: string; bytes: Buffer }[]): Promise<Buffer> {
    const pack = tar.pack();
    const parts: Buffer[] = [];
    pack.on('data', (part: unknown) => parts.push(part as Buffer));
    const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    for (const file of files) pack.entry({ name: file.name }, file.bytes);
    pack.finalize();
    await ended;
    return Buffer.concat(parts);
  }

  it('stops a gzip bomb once the stream expands past the ratio, long before the total limit', async () => {
    // 64 MB of zeros gzip to ~64 KB: a ratio near 1,000, under the 2 GB total limit.
    const path = join(folder, 'bomb.tar.gz');
    writeFileSync(
      path,
      gzipSync(await tarOf([{ name: 'zeros.txt', bytes: Buffer.alloc(64 * 1024 * 1024) }])),
    );
    const limits = importLimits(500 * 1024 * 1024, 50 * 1024 * 1024);
    let expanded = 0;
    const started = Date.now();
    const failure = await (async () => {
      for await (const item of readImportItems(path, 'tar.gz', limits)) {
        expanded += item.kind === 'document' ? item.bytes.length : 0;
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CairnError);
    expect((failure as CairnError).code).toBe('payload_too_large');
    expect((failure as CairnError).message).toMatch(/gzip bomb: it expands more than 100 times/);
    expect(expanded).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it('reads an ordinary tar.gz of many small files', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({
      name: `notes/n${i}.txt`,
      bytes: Buffer.from(`Note ${i}: the ferry leaves Tromsø at ${i % 24}:00.\n`),
    }));
    const path = join(folder, 'notes.tar.gz');
    writeFileSync(path, gzipSync(await tarOf(files)));
    const items: ImportItem[] = [];
    const limits = importLimits(500 * 1024 * 1024, 50 * 1024 * 1024);
    for await (const item of readImportItems(path, 'tar.gz', limits)) items.push(item);
    expect(items.filter((item) => item.kind === 'document')).toHaveLength(300);
  });
});

describe('archive entries that are not plain files', () => {
  let folder: string;
  beforeAll(() => (folder = mkdtempSync(join(tmpdir(), 'cairn-links-spec-'))));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const limits = importLimits(500 * 1024 * 1024, 50 * 1024 * 1024);

  async function itemsOf(path: string, format: 'tar' | 'zip'): Promise<ImportItem[]> {
    const items: ImportItem[] = [];
    for await (const item of readImportItems(path, format, limits)) items.push(item);
    return items;
  }

  it('never follows symlinks or hard links in a tar: each is a failed entry with its reason', async () => {
    const pack = tar.pack();
    const parts: Buffer[] = [];
    pack.on('data', (part: unknown) => parts.push(part as Buffer));
    const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
    pack.entry({ name: 'notes/real.txt' }, Buffer.from('A real note about Tromsø.\n'));
    pack.entry({ name: 'notes/passwd.txt', type: 'symlink', linkname: '/etc/passwd' });
    pack.entry({ name: 'notes/up.txt', type: 'symlink', linkname: '../../secret.txt' });
    pack.entry({ name: 'notes/hard.txt', type: 'link', linkname: '/etc/shadow' });
    pack.finalize();
    await ended;
    const path = join(folder, 'links.tar');
    writeFileSync(path, Buffer.concat(parts));
    const items = await itemsOf(path, 'tar');
    expect(items.map((item) => [item.entry, item.kind])).toEqual([
      ['notes/real.txt', 'document'],
      ['notes/passwd.txt', 'rejected'],
      ['notes/up.txt', 'rejected'],
      ['notes/hard.txt', 'rejected'],
    ]);
    const reasons = items.flatMap((item) => (item.kind === 'rejected' ? [item.reason] : []));
    expect(reasons).toEqual([
      'passwd.txt is a symlink, not a file.',
      'up.txt is a symlink, not a file.',
      'hard.txt is a link, not a file.',
    ]);
    // Nothing of the link targets was read.
    const texts = items.flatMap((item) =>
      item.kind === 'document' ? [item.bytes.toString()] : [],
    );
    expect(texts).toEqual(['A real note about Tromsø.\n']);
  });

  it('refuses a zip of 20,000 entries from its central directory, before inflating any', async () => {
    const entries = Array.from({ length: 20_000 }, (_, i) => ({
      name: `n/${i}.txt`,
      data: `${i}`,
      compress: false,
    }));
    const path = join(folder, 'many.zip');
    writeFileSync(path, await buildZip(entries));
    const failure = await itemsOf(path, 'zip').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CairnError);
    expect((failure as CairnError).code).toBe('invalid_input');
    expect((failure as CairnError).message).toBe(
      'The archive has more than 10000 files; split it into several imports.',
    );
  }, 60_000);
});
