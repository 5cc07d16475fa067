import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument } from './extracted-document';

/** Destinations whose content is not the document's text (fonts, styles, pictures, metadata). */
const SKIPPED_DESTINATIONS = new Set([
  'fonttbl',
  'colortbl',
  'stylesheet',
  'info',
  'pict',
  'object',
  'header',
  'footer',
  'headerl',
  'headerr',
  'headerf',
  'footerl',
  'footerr',
  'footerf',
  'listtable',
  'listoverridetable',
  'revtbl',
  'rsidtbl',
  'generator',
  'xmlnstbl',
  'themedata',
  'colorschememapping',
  'latentstyles',
  'datastore',
  'fldinst',
  'filetbl',
  'mmathPr',
]);

const MAX_GROUP_DEPTH = 1_000;

interface GroupState {
  skip: boolean;
  /** Characters to drop after a \uN (its ANSI fallback), \ucN. */
  unicodeSkip: number;
  decoder: TextDecoder;
}

/**
 * RTF: a small reader of the control words that carry text (paragraphs, lines, tabs, cells, hex
 * and Unicode escapes in the document's code page); everything in non-text destinations, and
 * unknown \* destinations, is skipped. The title comes from the \info group.
 */
export function extractRtf(bytes: Buffer): ExtractedDocument {
  const source = bytes.toString('latin1');
  const out: string[] = [];
  let title: string | undefined;
  let titleCapture: string[] | undefined;
  let state: GroupState = { skip: false, unicodeSkip: 1, decoder: codePageDecoder(1252) };
  const stack: GroupState[] = [];
  let pendingSkip = 0;
  let hexBytes: number[] = [];
  let titleDepth = -1;

  const flushHex = (): void => {
    if (hexBytes.length === 0) return;
    const decoded = state.decoder.decode(Uint8Array.from(hexBytes));
    hexBytes = [];
    emit(decoded);
  };
  const emit = (text: string): void => {
    if (titleCapture) titleCapture.push(text);
    else if (!state.skip) out.push(text);
  };

  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char === '{') {
      flushHex();
      if (stack.length >= MAX_GROUP_DEPTH) {
        throw new UnprocessableDocumentError(
          'corrupt_document',
          `The RTF document nests groups more than ${MAX_GROUP_DEPTH} deep.`,
        );
      }
      stack.push(state);
      state = { ...state };
      index += 1;
      // "{\*\dest" is an optional destination: skip it unless we know its text matters.
      if (source.startsWith('\\*', index)) {
        state.skip = true;
        index += 2;
      }
      continue;
    }
    if (char === '}') {
      flushHex();
      if (titleCapture && stack.length === titleDepth) {
        title = titleCapture.join('').replace(/\s+/g, ' ').trim() || undefined;
        titleCapture = undefined;
        titleDepth = -1;
      }
      state = stack.pop() ?? state;
      index += 1;
      continue;
    }
    if (char === '\\') {
      const next = source[index + 1];
      if (next === "'") {
        const byte = parseInt(source.slice(index + 2, index + 4), 16);
        index += 4;
        if (pendingSkip > 0) pendingSkip -= 1;
        else if (!Number.isNaN(byte)) hexBytes.push(byte);
        continue;
      }
      flushHex();
      if (next === '\\' || next === '{' || next === '}') {
        emit(next);
        index += 2;
        continue;
      }
      if (next === '~') emit('\u00a0');
      else if (next === '_') emit('-');
      if (next === undefined || !/[a-z]/i.test(next)) {
        index += 2;
        continue;
      }
      const match = /^([a-z]+)(-?\d+)? ?/i.exec(source.slice(index + 1, index + 64));
      if (!match) {
        index += 1;
        continue;
      }
      index += 1 + match[0].length;
      const word = match[1];
      const parameter = match[2] === undefined ? undefined : Number(match[2]);
      if (SKIPPED_DESTINATIONS.has(word)) state.skip = true;
      else if (word === 'title' && stack.length > 0) {
        titleCapture = [];
        titleDepth = stack.length;
      } else if (word === 'par' || word === 'sect' || word === 'page') emit('\n\n');
      else if (word === 'line' || word === 'row') emit('\n');
      else if (word === 'tab') emit('\t');
      else if (word === 'cell') emit(' | ');
      else if (word === 'emdash') emit('\u2014');
      else if (word === 'endash') emit('\u2013');
      else if (word === 'bullet') emit('\u2022');
      else if (word === 'lquote') emit('\u2018');
      else if (word === 'rquote') emit('\u2019');
      else if (word === 'ldblquote') emit('\u201c');
      else if (word === 'rdblquote') emit('\u201d');
      else if (word === 'uc' && parameter !== undefined) state.unicodeSkip = parameter;
      else if (word === 'ansicpg' && parameter !== undefined)
        state.decoder = codePageDecoder(parameter);
      else if (word === 'u' && parameter !== undefined) {
        emit(String.fromCharCode(parameter < 0 ? parameter + 65_536 : parameter));
        pendingSkip = state.unicodeSkip;
      } else if (word === 'bin' && parameter !== undefined) index += Math.max(0, parameter);
      continue;
    }
    if (char === '\r' || char === '\n') {
      index += 1;
      continue;
    }
    if (pendingSkip > 0) {
      pendingSkip -= 1;
      index += 1;
      continue;
    }
    flushHex();
    // Plain bytes are in the document's code page too.
    const run = /^[^\\{}\r\n]+/.exec(source.slice(index, index + 4096))?.[0] ?? char;
    emit(state.decoder.decode(Buffer.from(run, 'latin1')));
    index += run.length;
  }
  flushHex();
  if (stack.length > 0) {
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The RTF document is cut off: it ends with ${stack.length} group(s) still open.`,
    );
  }
  const text = out
    .join('')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title ? { text, title } : { text };
}

function codePageDecoder(codePage: number): TextDecoder {
  try {
    return new TextDecoder(codePage === 65001 ? 'utf-8' : `windows-${codePage}`);
  } catch {
    return new TextDecoder('windows-1252');
  }
}
