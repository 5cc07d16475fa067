import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { UploadSource } from '../client/upload';

export interface InputFile {
  path: string;
  /** How the file is shown: relative to the working directory. */
  label: string;
  sizeBytes: number;
}

const HIDDEN = /(^|[/\\])\.[^/\\]/;

/** A glob (`*`, `**`, `?`) as a regular expression over '/'-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*' && pattern[index + 1] === '*') {
      // `**/` matches any number of directories, including none.
      const slash = pattern[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

const hasGlob = (text: string) => /[*?]/.test(text);

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Dot files and folders (.git, .DS_Store) are not documents.
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * The files named by the arguments: files as they are, folders walked (without dot files), and
 * globs (quoted, so the shell left them) matched under their fixed leading folders.
 */
export async function expandInputs(inputs: string[], cwd = process.cwd()): Promise<InputFile[]> {
  const seen = new Set<string>();
  const files: InputFile[] = [];
  const add = async (path: string) => {
    const absolute = resolve(cwd, path);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    const info = await stat(absolute);
    // Relative to the working directory when inside it, else the absolute path.
    const inside = relative(cwd, absolute);
    const label = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : absolute;
    files.push({ path: absolute, label, sizeBytes: info.size });
  };
  for (const input of inputs) {
    if (hasGlob(input)) {
      const parts = input.split(/[/\\]/);
      const fixed = parts.slice(0, parts.findIndex(hasGlob)).join('/') || '.';
      const pattern = globToRegExp(input.replace(/\\/g, '/').replace(/^\.\//, ''));
      const matches = (await walk(resolve(cwd, fixed))).filter((path) => {
        const shown = relative(cwd, path).split(sep).join('/');
        return pattern.test(shown) && !HIDDEN.test(shown);
      });
      if (matches.length === 0) throw new Error(`${input} matches no file`);
      for (const path of matches) await add(path);
      continue;
    }
    let info;
    try {
      info = await stat(resolve(cwd, input));
    } catch {
      throw new Error(`${input}: no such file or folder`);
    }
    if (info.isDirectory()) {
      const inside = await walk(resolve(cwd, input));
      if (inside.length === 0) throw new Error(`${input} is an empty folder`);
      for (const path of inside) await add(path);
    } else {
      await add(input);
    }
  }
  return files;
}

/** A file as a source the upload can open again for a retry. */
export function fileSource(file: InputFile): UploadSource {
  return {
    fileName: basename(file.path),
    sizeBytes: file.sizeBytes,
    open: () => Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
  };
}
