import MarkdownIt from 'markdown-it';
import { BlockTextWriter } from './block-text-writer';
import { writeHtmlText } from './extract-html';
import type { ExtractedDocument } from './extracted-document';

type Token = MarkdownIt.Token;

// CommonMark plus tables and strikethrough; raw HTML is parsed so that its tags can be dropped.
const markdown = new MarkdownIt('default', { html: true, linkify: false, typographer: false });

const PARAGRAPH_TOKENS = new Set([
  'heading_open',
  'heading_close',
  'paragraph_open',
  'paragraph_close',
  'bullet_list_open',
  'bullet_list_close',
  'ordered_list_open',
  'ordered_list_close',
  'blockquote_open',
  'blockquote_close',
  'table_open',
  'table_close',
  'hr',
]);

const LINE_TOKENS = new Set(['list_item_open', 'list_item_close', 'tr_open', 'tr_close']);

/** Markdown to plain text: the words without markup; the title is the first heading. */
export function extractMarkdown(source: string): ExtractedDocument {
  const tokens = markdown.parse(source, {});
  const writer = new BlockTextWriter();
  let title: string | undefined;

  tokens.forEach((token, index) => {
    // In tight lists the paragraph tokens are hidden: their items are lines, not paragraphs.
    if (PARAGRAPH_TOKENS.has(token.type) && !token.hidden) writer.paragraphBreak();
    else if (LINE_TOKENS.has(token.type)) writer.lineBreak();

    switch (token.type) {
      case 'inline':
        writeInline(token.children ?? [], writer);
        if (title === undefined && tokens[index - 1]?.type === 'heading_open') {
          const heading = new BlockTextWriter();
          writeInline(token.children ?? [], heading);
          title = heading.toString() || undefined;
        }
        break;
      case 'th_open':
      case 'td_open':
        writer.text(' ');
        break;
      case 'fence':
      case 'code_block':
        writer.paragraphBreak();
        writer.preformatted(token.content.replace(/\n$/, ''));
        writer.paragraphBreak();
        break;
      case 'html_block':
        writer.paragraphBreak();
        writeHtmlText(token.content, writer);
        writer.paragraphBreak();
        break;
    }
  });

  const text = writer.toString();
  return title ? { text, title } : { text };
}

function writeInline(children: Token[], writer: BlockTextWriter): void {
  for (const child of children) {
    switch (child.type) {
      case 'text':
      case 'code_inline':
        writer.text(child.content);
        break;
      case 'image':
        // The alt text stands in for the picture.
        writeInline(child.children ?? [], writer);
        break;
      case 'softbreak':
        writer.text(' ');
        break;
      case 'hardbreak':
        writer.lineBreak();
        break;
      // Tags (html_inline), link and emphasis markers carry no words.
    }
  }
}
