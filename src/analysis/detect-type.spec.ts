import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SNIFF_BYTES,
  detectDocumentType,
  detectDocumentTypeOfFile,
  looksLikeMarkdown,
} from './detect-type';
import { DocumentRejectedError } from './errors';
import {
  buildDocx,
  buildPdf,
  buildZip,
  docxEntries,
  elfHeader,
} from '../../test/support/documents/document-fixtures';

function rejection(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DocumentRejectedError) return error.toJSON();
    throw error;
  }
  throw new Error('expected a DocumentRejectedError');
}

describe('detectDocumentType', () => {
  it('recognises a PDF from its header whatever the name says', async () => {
    const pdf = await buildPdf([['Hello']]);
    expect(detectDocumentType(pdf, 'scan.PDF')).toEqual({ mime: 'application/pdf', kind: 'pdf' });
    expect(detectDocumentType(pdf, 'notes.txt').kind).toBe('pdf');
    expect(detectDocumentType(pdf).kind).toBe('pdf');
  });

  it('recognises a DOCX from the parts named in its zip headers', async () => {
    const docx = await buildDocx(['Hello']);
    expect(detectDocumentType(docx.subarray(0, SNIFF_BYTES), 'letter.docx')).toEqual({
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      kind: 'docx',
    });
  });

  it('refuses an ELF executable named .pdf as a type mismatch', () => {
    expect(rejection(() => detectDocumentType(elfHeader(), 'file.pdf'))).toEqual({
      code: 'type_mismatch',
      message: 'file.pdf is an ELF executable, not a PDF.',
    });
  });

  it.each([
    ['a Windows (PE/MZ) executable', Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00])],
    ['a Mach-O executable', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01])],
    ['an executable script (it starts with #!)', Buffer.from('#!/bin/sh\nrm -rf /\n')],
    ['a gzip archive', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00])],
    ['a GIF image', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
  ])('refuses %s as an unsupported type', (description, bytes) => {
    const { code, message } = rejection(() => detectDocumentType(bytes, 'upload.bin'));
    expect(code).toBe('unsupported_type');
    expect(message).toBe(
      `upload.bin is ${description}. Cairn accepts PDF, Word (DOCX), PowerPoint (PPTX), Excel (XLSX), CSV/TSV, OpenDocument (ODT, ODP, ODS), EPUB, RTF, e-mail (EML), HTML, Markdown, UTF-8 plain text, and scanned images (PNG, JPEG, TIFF, WebP) read by OCR.`,
    );
  });

  it('does not mistake text that starts with "MZ" for an executable', () => {
    expect(detectDocumentType(Buffer.from('MZ Holdings annual report.\n')).kind).toBe('text');
  });

  it('refuses a zip that is not a DOCX, and one that claims to be', async () => {
    const zip = await buildZip([{ name: 'data.csv', data: 'a,b\n1,2\n' }]);
    expect(rejection(() => detectDocumentType(zip, 'data.zip')).code).toBe('unsupported_type');
    expect(rejection(() => detectDocumentType(zip, 'report.docx'))).toEqual({
      code: 'type_mismatch',
      message: 'report.docx is a ZIP archive, not a DOCX document.',
    });
  });

  it('refuses other binary content', () => {
    const binary = Buffer.from([0x10, 0x00, 0x02, 0x03, 0xff, 0x00, 0x01]);
    expect(rejection(() => detectDocumentType(binary)).message).toMatch(
      /^The file is binary data\./,
    );
  });

  it('refuses empty and whitespace-only files', () => {
    expect(rejection(() => detectDocumentType(Buffer.alloc(0), 'a.txt'))).toEqual({
      code: 'empty',
      message: 'a.txt is empty.',
    });
    expect(rejection(() => detectDocumentType(Buffer.from(' \n\t\n'), 'a.txt')).code).toBe('empty');
  });

  it('refuses text that is not UTF-8 and says where', () => {
    const latin1 = Buffer.from('Caf\xe9 au lait\n', 'latin1');
    expect(rejection(() => detectDocumentType(latin1, 'menu.txt'))).toEqual({
      code: 'invalid_utf8',
      message:
        'menu.txt is not valid UTF-8 text (byte 0xE9 at offset 3); save it as UTF-8 and upload it again.',
    });
  });

  it('accepts a head that ends in the middle of a multi-byte character', () => {
    const text = Buffer.from('é'.repeat(SNIFF_BYTES), 'utf8');
    expect(detectDocumentType(text.subarray(0, SNIFF_BYTES + 1)).kind).toBe('text');
  });

  it('refuses a PDF name over plain text', () => {
    expect(rejection(() => detectDocumentType(Buffer.from('just words'), 'paper.pdf'))).toEqual({
      code: 'type_mismatch',
      message: 'paper.pdf is plain text, not a PDF.',
    });
  });

  it('recognises HTML from a doctype or html/head/body tag at the start', () => {
    const html = '\ufeff<!-- saved page -->\n<!DOCTYPE html><html><body><p>Hi</p></body></html>';
    expect(detectDocumentType(Buffer.from(html), 'page.txt')).toEqual({
      mime: 'text/html',
      kind: 'html',
    });
    expect(detectDocumentType(Buffer.from('<BODY>hi</BODY>')).kind).toBe('html');
    expect(detectDocumentType(Buffer.from('<p>fragment</p>'), 'frag.html').kind).toBe('html');
    expect(detectDocumentType(Buffer.from('<p>fragment</p>'), 'frag.txt').kind).toBe('text');
  });

  it('calls text Markdown by name or by clear structure, plain text otherwise', () => {
    const markdown = '# Title\n\nSome text with a [link](https://example.com).\n\n- one\n- two\n';
    expect(detectDocumentType(Buffer.from(markdown))).toEqual({
      mime: 'text/markdown',
      kind: 'markdown',
    });
    expect(detectDocumentType(Buffer.from('plain words'), 'README.md').kind).toBe('markdown');
    expect(detectDocumentType(Buffer.from('plain words'), 'notes.markdown').kind).toBe('markdown');
    expect(detectDocumentType(Buffer.from('Dear Bob,\nsee you at 5*6.\n')).kind).toBe('text');
  });
});

describe('looksLikeMarkdown', () => {
  it.each([
    ['## One\ntext\n## Two\n', true],
    ['Intro\n\n> quoted\n\n```\ncode\n```\n', true],
    ['Title\n=====\n\n* item\n', true],
    ['- milk\n- eggs\n', false],
    ['A sentence. Another one.', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeMarkdown(text)).toBe(expected);
  });
});

describe('detectDocumentTypeOfFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-detect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the DOCX parts in the central directory even behind many other entries', async () => {
    const filler = Array.from({ length: 3000 }, (_, index) => ({
      name: `customXml/item${index}.xml`,
      data: `<item n="${index}"/>`,
      compress: false,
    }));
    const [contentTypes, rels, document] = docxEntries(['Late parts']);
    const docx = await buildZip([...filler, rels, document, contentTypes]);
    // The head alone only shows filler entries.
    expect(docx.subarray(0, SNIFF_BYTES).includes('word/document.xml')).toBe(false);
    const path = join(dir, 'late.docx');
    await writeFile(path, docx);
    await expect(detectDocumentTypeOfFile(path, 'late.docx')).resolves.toEqual({
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      kind: 'docx',
    });
  });

  it('rejects an executable on disk with the same message as from a buffer', async () => {
    const path = join(dir, 'upload');
    await writeFile(path, elfHeader());
    await expect(detectDocumentTypeOfFile(path, 'file.pdf')).rejects.toMatchObject({
      code: 'type_mismatch',
      message: 'file.pdf is an ELF executable, not a PDF.',
    });
  });

  it('detects text files and empty files', async () => {
    const textPath = join(dir, 'a.txt');
    await writeFile(textPath, 'Hello world.\r\n');
    await expect(detectDocumentTypeOfFile(textPath, 'a.txt')).resolves.toEqual({
      mime: 'text/plain',
      kind: 'text',
    });
    const emptyPath = join(dir, 'empty.txt');
    await writeFile(emptyPath, '');
    await expect(detectDocumentTypeOfFile(emptyPath, 'empty.txt')).rejects.toMatchObject({
      code: 'empty',
    });
  });
});
