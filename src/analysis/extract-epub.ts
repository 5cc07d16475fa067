import { posix } from 'node:path';
import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { extractHtml } from './extract-html';
import { PackageParts, resolvePartName } from './package-parts';
import { SectionedText } from './sectioned-text';
import { xmlElements, xmlText } from './xml-text';
import type { ZipLimits } from './zip-inspect';

const CHAPTER_TYPES = new Set(['application/xhtml+xml', 'text/html']);

/** EPUB: the chapters (XHTML documents of the spine) in reading order, each a section. */
export async function extractEpub(bytes: Buffer, limits: ZipLimits): Promise<ExtractedDocument> {
  const parts = await PackageParts.open(bytes, limits, 'EPUB book', (name) =>
    /\.(xml|opf|x?html?)$/i.test(name),
  );
  const rootfile = xmlElements(parts.requiredXml('META-INF/container.xml'), 'rootfile').find(
    (element) => element['full-path'],
  )?.['full-path'];
  if (!rootfile) {
    throw new UnprocessableDocumentError(
      'corrupt_document',
      'The EPUB book is damaged: its container names no package document.',
    );
  }
  const opf = parts.requiredXml(rootfile);
  const directory = posix.dirname(rootfile);
  const manifest = new Map(
    xmlElements(opf, 'item').map((item) => [
      item.id,
      { href: resolvePartName(directory, item.href ?? ''), type: item['media-type'] ?? '' },
    ]),
  );
  const text = new SectionedText();
  let chapter = 0;
  for (const { idref } of xmlElements(opf, 'itemref')) {
    const item = manifest.get(idref);
    if (!item || !CHAPTER_TYPES.has(item.type)) continue;
    const xhtml = parts.xml(item.href);
    if (xhtml === undefined) continue;
    const { text: chapterText, title } = extractHtml(xhtml);
    if (chapterText.trim() === '') continue;
    chapter += 1;
    const name = title && title.length > 80 ? `${title.slice(0, 77)}...` : title;
    text.add(name ? `chapter ${chapter}: ${name}` : `chapter ${chapter}`, chapterText);
  }
  const title = xmlText(opf, {
    textElements: new Set(['dc:title']),
    paragraphElements: new Set(['dc:title']),
    lineElements: new Set(),
  }).split('\n')[0];
  return { ...text.build(), ...(title ? { title } : {}) };
}
