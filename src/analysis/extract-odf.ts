import { Parser } from 'htmlparser2';
import { BlockTextWriter } from './block-text-writer';
import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { PackageParts } from './package-parts';
import { SectionedText } from './sectioned-text';
import { SheetTextWriter, type SheetLimits } from './sheet-rows';
import { xmlText, type XmlTextRules } from './xml-text';
import type { ZipLimits } from './zip-inspect';

export type OdfKind = 'odt' | 'odp' | 'ods';

const ODF_TEXT: XmlTextRules = {
  paragraphElements: new Set(['text:p', 'text:h', 'draw:frame']),
  lineElements: new Set(['text:line-break', 'table:table-row', 'text:list-item']),
  cellElements: new Set(['table:table-cell']),
  spaceElements: new Set(['text:tab', 'text:s']),
  // Styles, scripts and the record of tracked changes (deleted text) are not the document's text.
  skippedElements: new Set([
    'office:automatic-styles',
    'office:font-face-decls',
    'office:scripts',
    'text:tracked-changes',
    'office:forms',
  ]),
};

const FORMAT_NAMES: Record<OdfKind, string> = {
  odt: 'OpenDocument text',
  odp: 'OpenDocument presentation',
  ods: 'OpenDocument spreadsheet',
};

/** OpenDocument text, presentation (slides and notes) or spreadsheet (rows with column names). */
export async function extractOdf(
  bytes: Buffer,
  kind: OdfKind,
  limits: ZipLimits & SheetLimits,
): Promise<ExtractedDocument> {
  const parts = await PackageParts.open(bytes, limits, FORMAT_NAMES[kind], (name) =>
    name.endsWith('.xml'),
  );
  const content = parts.requiredXml('content.xml');
  const meta = parts.xml('meta.xml');
  const title = meta
    ? xmlText(meta, {
        textElements: new Set(['dc:title']),
        paragraphElements: new Set(),
        lineElements: new Set(),
      }) || undefined
    : undefined;
  let document: ExtractedDocument;
  if (kind === 'odt') document = { text: xmlText(content, ODF_TEXT) };
  else if (kind === 'odp') document = presentationText(content);
  else document = spreadsheetText(content, limits);
  return title ? { ...document, title } : document;
}

/** Each draw:page is a slide; its presentation:notes are the speaker notes. */
function presentationText(xml: string): ExtractedDocument {
  const text = new SectionedText();
  let slide = 0;
  let slideWriter: BlockTextWriter | undefined;
  let notesWriter: BlockTextWriter | undefined;
  let inNotes = 0;
  let skipDepth = 0;
  const writer = (): BlockTextWriter | undefined => (inNotes > 0 ? notesWriter : slideWriter);
  const parser = new Parser(
    {
      onopentag(name) {
        if (skipDepth > 0 || ODF_TEXT.skippedElements?.has(name)) {
          skipDepth += 1;
          return;
        }
        if (name === 'draw:page') {
          slide += 1;
          slideWriter = new BlockTextWriter();
          notesWriter = new BlockTextWriter();
        } else if (name === 'presentation:notes') inNotes += 1;
        else if (ODF_TEXT.spaceElements?.has(name)) writer()?.text(' ');
      },
      ontext(data) {
        if (skipDepth === 0) writer()?.text(data);
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          skipDepth -= 1;
          return;
        }
        const current = writer();
        if (name === 'presentation:notes') inNotes -= 1;
        else if (name === 'draw:page' && slideWriter && notesWriter) {
          text.add(`slide ${slide}`, slideWriter.toString());
          text.add(`slide ${slide} notes`, notesWriter.toString());
          slideWriter = notesWriter = undefined;
        } else if (ODF_TEXT.paragraphElements.has(name)) current?.paragraphBreak();
        else if (ODF_TEXT.lineElements.has(name)) current?.lineBreak();
        else if (ODF_TEXT.cellElements?.has(name)) current?.cellBreak();
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return text.build();
}

/**
 * Sheets (table:table) and their rows. Repeated rows and columns (how ODF stores blank space,
 * often a million rows) are expanded only when they hold text.
 */
function spreadsheetText(xml: string, limits: SheetLimits): ExtractedDocument {
  const text = new SectionedText();
  const sheets = new SheetTextWriter(text, limits);
  let rowNumber = 0;
  let rowRepeat = 1;
  let cells: string[] = [];
  let pendingEmptyColumns = 0;
  let cell: { repeat: number; value: string } | undefined;
  let skipDepth = 0;
  let sheetDepth = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (skipDepth > 0 || name === 'office:annotation') {
          skipDepth += 1;
          return;
        }
        if (name === 'table:table') {
          sheetDepth += 1;
          if (sheetDepth === 1) {
            sheets.startSheet(`sheet ${attributes['table:name'] ?? ''}`.trim());
            rowNumber = 0;
          }
        } else if (name === 'table:table-row') {
          rowRepeat = Math.max(1, Number(attributes['table:number-rows-repeated']) || 1);
          cells = [];
          pendingEmptyColumns = 0;
        } else if (name === 'table:table-cell' || name === 'table:covered-table-cell') {
          cell = {
            repeat: Math.max(1, Number(attributes['table:number-columns-repeated']) || 1),
            value: '',
          };
        } else if (cell && name === 'text:p' && cell.value !== '') cell.value += ' ';
        else if (cell && (name === 'text:s' || name === 'text:tab')) cell.value += ' ';
      },
      ontext(data) {
        if (skipDepth === 0 && cell) cell.value += data;
      },
      onclosetag(name) {
        if (skipDepth > 0) {
          skipDepth -= 1;
          return;
        }
        if (name === 'table:table') sheetDepth -= 1;
        else if ((name === 'table:table-cell' || name === 'table:covered-table-cell') && cell) {
          const value = cell.value.trim();
          if (value === '') pendingEmptyColumns += cell.repeat;
          else {
            if (cells.length + pendingEmptyColumns + cell.repeat > 16_384) {
              throw new UnprocessableDocumentError(
                'too_large',
                'A row of the spreadsheet has more than 16,384 columns.',
              );
            }
            for (; pendingEmptyColumns > 0; pendingEmptyColumns -= 1) cells.push('');
            for (let copy = 0; copy < cell.repeat; copy += 1) cells.push(value);
          }
          cell = undefined;
        } else if (name === 'table:table-row') {
          if (cells.length === 0) rowNumber += rowRepeat;
          else {
            for (let copy = 0; copy < rowRepeat; copy += 1) sheets.addRow(++rowNumber, cells);
          }
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return text.build();
}
