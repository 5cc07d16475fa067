import { parse } from 'csv-parse/sync';
import { UnprocessableDocumentError, parserDetail } from './errors';
import type { ExtractedDocument } from './extracted-document';
import { SectionedText } from './sectioned-text';
import { SheetTextWriter, type SheetLimits } from './sheet-rows';

/** CSV or TSV: the first row names the columns; every later row is a section with its line number. */
export function extractDelimited(
  text: string,
  delimiter: ',' | ';' | '\t',
  limits: SheetLimits,
): ExtractedDocument {
  let records: string[][];
  try {
    const parsed: unknown = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: delimiter === '\t',
      quote: delimiter === '\t' ? false : '"',
      skip_empty_lines: false,
      bom: true,
      // A quoted field left open swallows the rest of the file: bound it like a cell.
      max_record_size: limits.maxCellChars * 64,
      to_line: limits.maxRows + 1,
    });
    records = parsed as string[][];
  } catch (error) {
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The ${delimiter === '\t' ? 'TSV' : 'CSV'} file cannot be read (${parserDetail(error)}).`,
      { cause: error },
    );
  }
  const sections = new SectionedText();
  const rows = new SheetTextWriter(sections, limits);
  rows.startSheet('');
  records.forEach((cells, index) => rows.addRow(index + 1, cells));
  return sections.build();
}

/**
 * Which delimiter makes `text` a table: the first lines (at least five, unless the name says CSV or TSV) all split into the same
 * number (two or more) of fields. Undefined when none does.
 */
export function delimiterOf(text: string, namedDelimited: boolean): ',' | ';' | '\t' | undefined {
  const lines = text
    .slice(0, 16_384)
    .split(/\r?\n/)
    .slice(0, 30)
    .filter((line) => line.trim() !== '');
  // The last line of a sample may be cut off.
  if (lines.length > 3 && text.length > 16_384) lines.pop();
  if (lines.length < (namedDelimited ? 1 : 5)) return undefined;
  for (const delimiter of ['\t', ',', ';'] as const) {
    const counts = lines.map((line) => fieldCount(line, delimiter));
    if (counts[0] >= 2 && counts.every((count) => count === counts[0])) return delimiter;
  }
  return undefined;
}

function fieldCount(line: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) fields += 1;
  }
  return fields;
}
