import { Parser } from 'htmlparser2';
import { BlockTextWriter } from './block-text-writer';
import { UnprocessableDocumentError } from './errors';

/**
 * XML parts of office documents are parsed by htmlparser2, which never reads a DTD and expands
 * only the five predefined and numeric entities; a part that declares its own entities is still
 * refused outright, with a reason, rather than parsed with them left as text.
 */
export function decodeXmlPart(bytes: Buffer, partName: string): string {
  let xml: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) xml = bytes.subarray(2).toString('utf16le');
  else xml = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/<!ENTITY/i.test(xml)) {
    throw new UnprocessableDocumentError(
      'xml_entities',
      `The document's part ${partName} declares XML entities (<!ENTITY>), which can expand without bound; Cairn refuses such documents.`,
    );
  }
  return xml;
}

export interface XmlTextRules {
  /** Elements whose character data is text; when undefined, all character data is text. */
  textElements?: ReadonlySet<string>;
  /** End a paragraph (blank line). */
  paragraphElements: ReadonlySet<string>;
  /** End a line: line breaks, table rows. */
  lineElements: ReadonlySet<string>;
  /** Table cells: separated by " | " on their row's line. */
  cellElements?: ReadonlySet<string>;
  /** Tabs and similar: a space. */
  spaceElements?: ReadonlySet<string>;
  /** Whole subtrees that are not text (deleted runs, field codes, fallbacks of alternates). */
  skippedElements?: ReadonlySet<string>;
}

/** The text of an XML part under `rules`, in document order, whitespace tidied. */
export function xmlText(xml: string, rules: XmlTextRules): string {
  const writer = new BlockTextWriter();
  writeXmlText(xml, rules, writer);
  return writer.toString();
}

export function writeXmlText(xml: string, rules: XmlTextRules, writer: BlockTextWriter): void {
  let skipDepth = 0;
  let textDepth = 0;
  // Paragraphs inside a table cell stay on the row's line.
  let cellDepth = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (skipDepth > 0 || rules.skippedElements?.has(name)) {
          skipDepth += 1;
          return;
        }
        if (rules.textElements?.has(name)) textDepth += 1;
        if (rules.cellElements?.has(name)) cellDepth += 1;
        if (rules.spaceElements?.has(name)) writer.text(' ');
      },
      ontext(data) {
        if (skipDepth > 0) return;
        if (rules.textElements && textDepth === 0) return;
        writer.text(data);
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          skipDepth -= 1;
          return;
        }
        if (rules.textElements?.has(name)) textDepth = Math.max(0, textDepth - 1);
        if (rules.cellElements?.has(name)) {
          cellDepth = Math.max(0, cellDepth - 1);
          writer.cellBreak();
        } else if (rules.paragraphElements.has(name)) {
          if (cellDepth > 0) writer.text(' ');
          else writer.paragraphBreak();
        } else if (rules.lineElements.has(name)) writer.lineBreak();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
}

/** Attribute values of every `element` in document order (e.g. relationship targets). */
export function xmlElements(xml: string, element: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === element) found.push(attributes);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return found;
}
