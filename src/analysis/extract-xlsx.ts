import { Parser } from 'htmlparser2';
import type { ExtractedDocument } from './extracted-document';
import { coreTitle } from './extract-pptx';
import { PackageParts } from './package-parts';
import { SectionedText } from './sectioned-text';
import { cellStyleDateKinds, serialDateText, type DateKind } from './sheet-dates';
import { SheetTextWriter, columnIndex, type SheetLimits } from './sheet-rows';
import { xmlElements } from './xml-text';
import type { ZipLimits } from './zip-inspect';

/** Excel: every sheet in workbook order, each row as text with its column names. */
export async function extractXlsx(
  bytes: Buffer,
  limits: ZipLimits & SheetLimits,
): Promise<ExtractedDocument> {
  const parts = await PackageParts.open(
    bytes,
    limits,
    'Excel workbook',
    (name) => name.endsWith('.xml') || name.endsWith('.rels'),
  );
  const workbook = 'xl/workbook.xml';
  const relationships = parts.relationships(workbook);
  const shared = sharedStrings(
    [...relationships.values()].find(({ type }) => type.endsWith('/sharedStrings'))?.target,
    parts,
  );
  const stylesPart = [...relationships.values()].find(({ type }) =>
    type.endsWith('/styles'),
  )?.target;
  const workbookXml = parts.requiredXml(workbook);
  const dates: CellDates = {
    kinds: cellStyleDateKinds(stylesPart === undefined ? undefined : parts.xml(stylesPart)),
    date1904: ['1', 'true'].includes(xmlElements(workbookXml, 'workbookPr')[0]?.date1904 ?? ''),
  };
  const text = new SectionedText();
  const writer = new SheetTextWriter(text, limits);
  for (const sheet of xmlElements(workbookXml, 'sheet')) {
    const target = relationships.get(sheet['r:id'] ?? '')?.target;
    const xml = target === undefined ? undefined : parts.xml(target);
    if (xml === undefined) continue;
    writer.startSheet(`sheet ${sheet.name ?? target}`);
    readSheetRows(xml, shared, dates, (row, cells) => writer.addRow(row, cells));
  }
  const title = coreTitle(parts);
  return { ...text.build(), ...(title ? { title } : {}) };
}

/** The shared string table: the text of every <si>, phonetic guides left out. */
function sharedStrings(partName: string | undefined, parts: PackageParts): string[] {
  const xml = partName === undefined ? undefined : parts.xml(partName);
  if (xml === undefined) return [];
  const strings: string[] = [];
  let current: string | undefined;
  let inText = 0;
  let inPhonetic = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'si') current = '';
        else if (name === 't') inText += 1;
        else if (name === 'rPh') inPhonetic += 1;
      },
      ontext(data) {
        if (current !== undefined && inText > 0 && inPhonetic === 0) current += data;
      },
      onclosetag(name) {
        if (name === 'si') {
          strings.push(current ?? '');
          current = undefined;
        } else if (name === 't') inText -= 1;
        else if (name === 'rPh') inPhonetic -= 1;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return strings;
}

/** Which cell styles show serial numbers as dates or times, and the workbook's date system. */
interface CellDates {
  kinds: Map<number, DateKind>;
  date1904: boolean;
}

/** Streams a worksheet's rows: row number (1-based, as shown) and the cells by column. */
function readSheetRows(
  xml: string,
  shared: string[],
  dates: CellDates,
  onRow: (row: number, cells: string[]) => void,
): void {
  let rowNumber = 0;
  let cells: string[] = [];
  let cell:
    { column: number; type: string; style: number; value: string; inline: string } | undefined;
  let collecting: 'v' | 't' | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'row') {
          rowNumber = Number(attributes.r) || rowNumber + 1;
          cells = [];
        } else if (name === 'c') {
          const column = columnIndex(attributes.r ?? '') ?? cells.length;
          const style = Number(attributes.s ?? 0);
          cell = { column, type: attributes.t ?? 'n', style, value: '', inline: '' };
        } else if (cell && name === 'v') collecting = 'v';
        else if (cell && name === 't') collecting = 't';
      },
      ontext(data) {
        if (!cell || !collecting) return;
        if (collecting === 'v') cell.value += data;
        else cell.inline += data;
      },
      onclosetag(name) {
        if (name === 'v' || name === 't') collecting = undefined;
        else if (name === 'c' && cell) {
          // Sparse rows: columns between the written cells stay empty.
          while (cells.length < cell.column) cells.push('');
          const kind = cell.type === 'n' ? dates.kinds.get(cell.style) : undefined;
          cells[cell.column] = kind
            ? serialDateText(cell.value, kind, dates.date1904)
            : cellText(cell.type, cell.value, cell.inline, shared);
          cell = undefined;
        } else if (name === 'row') onRow(rowNumber, cells);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
}

function cellText(type: string, value: string, inline: string, shared: string[]): string {
  switch (type) {
    case 's':
      return shared[Number(value)] ?? '';
    case 'inlineStr':
      return inline;
    case 'b':
      return value === '1' ? 'TRUE' : 'FALSE';
    default:
      return value;
  }
}
