import { simpleParser, type AddressObject } from 'mailparser';
import { UnprocessableDocumentError, parserDetail } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { extractHtml } from './extract-html';
import { SectionedText } from './sectioned-text';

/**
 * An e-mail message (RFC 5322 / MIME): its headers (from, to, cc, date, subject) as the first
 * section, its body as text (an HTML-only body converted like an HTML page), and the names of its
 * attachments. The subject is the title.
 */
export async function extractEml(bytes: Buffer): Promise<ExtractedDocument> {
  let message;
  try {
    message = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true });
  } catch (error) {
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The e-mail cannot be read (${parserDetail(error)}).`,
      {
        cause: error,
      },
    );
  }
  const headers = [
    ['From', addresses(message.from)],
    ['To', addresses(message.to)],
    ['Cc', addresses(message.cc)],
    ['Date', message.date?.toISOString()],
    ['Subject', message.subject],
  ]
    .filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '')
    .map(([name, value]) => `${name}: ${value.replace(/\s+/g, ' ').trim()}`);
  const body =
    message.text?.trim() ||
    (typeof message.html === 'string' ? extractHtml(message.html).text : '');
  const text = new SectionedText();
  text.add('message headers', headers.join('\n'));
  text.add('message body', body.replace(/\r\n?/g, '\n').replace(/\n{3,}/g, '\n\n'));
  const attachments = message.attachments
    .filter((attachment) => attachment.contentDisposition !== 'inline')
    .map((attachment) => attachment.filename ?? `an unnamed ${attachment.contentType}`);
  if (attachments.length > 0) text.add('attachments', `Attachments: ${attachments.join(', ')}`);
  const title = message.subject?.replace(/\s+/g, ' ').trim();
  return { ...text.build(), ...(title ? { title } : {}) };
}

function addresses(value: AddressObject | AddressObject[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map((address) => address.text).join(', ');
}

const HEADER_LINE = /^([!-9;-~]+):[ \t]?(.*)$/;
const TELLING_HEADERS = new Set([
  'to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'received',
  'return-path',
  'cc',
  'reply-to',
  'delivered-to',
]);

/**
 * Whether text starts with an Internet message's header block: header fields (with folded
 * continuation lines) up to a blank line, among them From and at least two other fields only
 * e-mail has.
 */
export function looksLikeEmail(text: string): boolean {
  const lines = text.slice(0, 16_384).split(/\r?\n/);
  const names = new Set<string>();
  for (const line of lines) {
    if (line === '') break;
    if (/^[ \t]/.test(line) && names.size > 0) continue;
    const match = HEADER_LINE.exec(line);
    if (!match) return false;
    names.add(match[1].toLowerCase());
  }
  const telling = [...names].filter((name) => TELLING_HEADERS.has(name)).length;
  return names.has('from') && telling >= 2;
}
