import mammoth from 'mammoth';
import { UnprocessableDocumentError, parserDetail } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { coreTitle } from './extract-pptx';
import { PackageParts } from './package-parts';
import { SectionedText } from './sectioned-text';
import { xmlText, type XmlTextRules } from './xml-text';
import type { ZipLimits } from './zip-inspect';

const WORD_TEXT: XmlTextRules = {
  textElements: new Set(['w:t']),
  paragraphElements: new Set(['w:p']),
  lineElements: new Set(['w:br', 'w:cr', 'w:tr']),
  cellElements: new Set(['w:tc']),
  spaceElements: new Set(['w:tab']),
  skippedElements: new Set(['mc:Fallback']),
};

/** Parts besides the body whose text belongs to the document, and how their chunks are named. */
const SIDE_PARTS: { pattern: RegExp; label: string }[] = [
  { pattern: /^word\/header\d*\.xml$/, label: 'header' },
  { pattern: /^word\/footer\d*\.xml$/, label: 'footer' },
  { pattern: /^word\/footnotes\.xml$/, label: 'footnotes' },
  { pattern: /^word\/endnotes\.xml$/, label: 'endnotes' },
  { pattern: /^word\/comments\.xml$/, label: 'comments' },
];

/**
 * DOCX: the body with mammoth (paragraphs, tables, text boxes) after the archive has been proven
 * safe to inflate, then headers, footers, footnotes, endnotes and comments as sections of their
 * own, so that a hit in a footnote says so.
 */
export async function extractDocx(bytes: Buffer, limits: ZipLimits): Promise<ExtractedDocument> {
  const parts = await PackageParts.open(
    bytes,
    limits,
    'DOCX document',
    (name) => name.endsWith('.xml') || name.endsWith('.rels'),
  );
  // mammoth reads the XML itself: refuse entity declarations in any part first, as for every
  // other XML-based format (decodeXmlPart).
  for (const name of parts.names()) if (name.endsWith('.xml')) parts.xml(name);
  let rawText: string;
  try {
    rawText = (await mammoth.extractRawText({ buffer: bytes })).value;
  } catch (error) {
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The DOCX document is damaged (${parserDetail(error)}).`,
      { cause: error },
    );
  }
  // mammoth ends every paragraph with a blank line; keep one blank line between paragraphs.
  const body = rawText
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const title = coreTitle(parts);
  const text = new SectionedText();
  text.add('', body);
  const seen = new Set<string>();
  for (const { pattern, label } of SIDE_PARTS) {
    for (const name of parts
      .names()
      .filter((part) => pattern.test(part))
      .sort()) {
      const partText = xmlText(parts.requiredXml(name), WORD_TEXT);
      // Each section of a document may repeat the same header or footer.
      if (seen.has(partText)) continue;
      seen.add(partText);
      text.add(label, partText);
    }
  }
  const built = text.build();
  const document: ExtractedDocument = built.sections.length > 1 ? built : { text: built.text };
  return title ? { ...document, title } : document;
}
