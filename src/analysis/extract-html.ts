import { Parser } from 'htmlparser2';
import { BlockTextWriter } from './block-text-writer';
import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument } from './extracted-document';

/**
 * htmlparser2 keeps its open elements in an array it shifts and unshifts, so each open tag costs
 * time in proportion to the depth: 200 000 nested elements took minutes. Real pages stay far
 * below this depth (browsers stop nesting at 512).
 */
export const MAX_HTML_DEPTH = 5_000;

// Content that is not part of the document's text.
const SKIPPED_ELEMENTS = new Set([
  'script',
  'style',
  'nav',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
  'select',
  'button',
]);

// Elements whose boundaries end a line but not a paragraph.
const LINE_ELEMENTS = new Set(['li', 'dt', 'dd', 'tr', 'option', 'caption']);

const PARAGRAPH_ELEMENTS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'details',
  'dialog',
  'div',
  'dl',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'legend',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'ul',
]);

const CELL_ELEMENTS = new Set(['td', 'th']);

export function extractHtml(html: string): ExtractedDocument {
  const writer = new BlockTextWriter();
  const { title, firstHeading } = writeHtmlText(html, writer);
  const text = writer.toString();
  const chosenTitle = title || firstHeading;
  return chosenTitle ? { text, title: chosenTitle } : { text };
}

/**
 * Streams the visible text of `html` into `writer` (also used for raw HTML inside Markdown) and
 * returns the <title> and the first <h1>, whitespace collapsed.
 */
export function writeHtmlText(
  html: string,
  writer: BlockTextWriter,
): { title?: string; firstHeading?: string } {
  let skipDepth = 0;
  let preDepth = 0;
  let startOfPre = false;
  let titleText: string | undefined;
  let inTitle = false;
  let headingText: string | undefined;
  let inFirstHeading = false;
  // Open elements as the parser reports them (implied and final closes included).
  let depth = 0;

  const parser = new Parser(
    {
      onopentag(name) {
        depth += 1;
        if (depth > MAX_HTML_DEPTH) {
          throw new UnprocessableDocumentError(
            'too_deep',
            `The HTML nests elements more than ${MAX_HTML_DEPTH} deep.`,
          );
        }
        if (SKIPPED_ELEMENTS.has(name)) skipDepth += 1;
        if (skipDepth > 0) return;
        if (name === 'title' && titleText === undefined) {
          inTitle = true;
          titleText = '';
          return;
        }
        if (name === 'h1' && headingText === undefined) {
          inFirstHeading = true;
          headingText = '';
        }
        if (name === 'pre') {
          preDepth += 1;
          startOfPre = true;
        }
        breakFor(name, writer);
      },
      ontext(data) {
        if (skipDepth > 0) return;
        if (inTitle) {
          titleText += data;
          return;
        }
        if (inFirstHeading) headingText += data;
        if (preDepth > 0) {
          // As in browsers, a newline right after <pre> is not content.
          writer.preformatted(startOfPre ? data.replace(/^\r?\n/, '') : data);
          startOfPre = false;
          return;
        }
        writer.text(data);
      },
      onclosetag(name) {
        depth = Math.max(0, depth - 1);
        if (SKIPPED_ELEMENTS.has(name)) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth > 0) return;
        if (name === 'title') inTitle = false;
        if (name === 'h1') inFirstHeading = false;
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        breakFor(name, writer);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.end(html);

  return { title: collapse(titleText), firstHeading: collapse(headingText) };
}

function breakFor(name: string, writer: BlockTextWriter): void {
  if (name === 'br') writer.lineBreak();
  else if (LINE_ELEMENTS.has(name)) writer.lineBreak();
  else if (PARAGRAPH_ELEMENTS.has(name)) writer.paragraphBreak();
  else if (CELL_ELEMENTS.has(name)) writer.text(' ');
}

function collapse(text: string | undefined): string | undefined {
  const collapsed = text?.replace(/\s+/g, ' ').trim();
  return collapsed ? collapsed : undefined;
}
