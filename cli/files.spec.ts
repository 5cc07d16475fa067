import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs, globToRegExp } from './files';

describe('globToRegExp', () => {
  it.each([
    ['*.md', 'a.md', true],
    ['*.md', 'dir/a.md', false],
    ['docs/**/*.md', 'docs/a.md', true],
    ['docs/**/*.md', 'docs/x/y/a.md', true],
    ['docs/**/*.md', 'other/a.md', false],
    ['report-?.txt', 'report-1.txt', true],
    ['report-?.txt', 'report-12.txt', false],
    ['a.(b).txt', 'a.(b).txt', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});

describe('expandInputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-files-'));
    await mkdir(join(dir, 'docs/deep'), { recursive: true });
    await mkdir(join(dir, 'docs/.git'), { recursive: true });
    await writeFile(join(dir, 'docs/a.md'), 'a');
    await writeFile(join(dir, 'docs/b.txt'), 'bb');
    await writeFile(join(dir, 'docs/deep/c.md'), 'ccc');
    await writeFile(join(dir, 'docs/.hidden.md'), 'h');
    await writeFile(join(dir, 'docs/.git/config'), 'g');
    await mkdir(join(dir, 'empty'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('walks folders without dot files, in name order, with sizes', async () => {
    const files = await expandInputs(['docs'], dir);
    expect(files.map((file) => [file.label, file.sizeBytes])).toEqual([
      [join('docs', 'a.md'), 1],
      [join('docs', 'b.txt'), 2],
      [join('docs', 'deep', 'c.md'), 3],
    ]);
  });

  it('matches quoted globs and lists a file named twice once', async () => {
    const files = await expandInputs(['docs/**/*.md', 'docs/a.md'], dir);
    expect(files.map((file) => file.label)).toEqual([
      join('docs', 'a.md'),
      join('docs', 'deep', 'c.md'),
    ]);
  });

  it('names what is missing or empty', async () => {
    await expect(expandInputs(['nope.txt'], dir)).rejects.toThrow(
      'nope.txt: no such file or folder',
    );
    await expect(expandInputs(['empty'], dir)).rejects.toThrow('empty is an empty folder');
    await expect(expandInputs(['docs/*.pdf'], dir)).rejects.toThrow('docs/*.pdf matches no file');
  });
});
