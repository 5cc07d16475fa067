import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
