import { UnprocessableDocumentError } from './errors';
import type { SectionedText } from './sectioned-text';

export interface SheetLimits {
  /** Rows over every sheet of a workbook (or lines of a CSV file). */
  maxRows: number;
  /** Non-empty cells over the whole workbook. */
  maxCells: number;
  /** Characters in one cell (Excel's own limit is 32,767). */
  maxCellChars: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = {
  maxRows: 200_000,
  maxCells: 2_000_000,
  maxCellChars: 32_767,
};

/**
 * Turns the rows of sheets into text: the first non-empty row of a sheet names the columns, and
 * every later row reads "Name: Ada; Role: engineer", each row its own section with its number.
 * Counts rows and cells across sheets against the limits.
 */
export class SheetTextWriter {
  private rows = 0;
  private cells = 0;
  private header: string[] | undefined;
  private label = '';

  constructor(
    private readonly text: SectionedText,
    private readonly limits: SheetLimits,
  ) {}

  startSheet(label: string): void {
    this.label = label;
    this.header = undefined;
  }

  /** `cells[i]` is column i's value ('' when empty); `rowNumber` as the sheet shows it. */
  addRow(rowNumber: number, cells: string[]): void {
    this.rows += 1;
    if (this.rows > this.limits.maxRows) {
      throw new UnprocessableDocumentError(
        'too_large',
        `The spreadsheet has more than ${this.limits.maxRows} rows; at most ${this.limits.maxRows} are accepted.`,
      );
    }
    const values = cells.map((cell) => cell.replace(/\s+/g, ' ').trim());
    for (const value of values) {
      if (value === '') continue;
      this.cells += 1;
      if (value.length > this.limits.maxCellChars) {
        throw new UnprocessableDocumentError(
          'too_large',
          `A cell in ${this.label || 'the file'} (row ${rowNumber}) has ${value.length} characters; at most ${this.limits.maxCellChars} are accepted.`,
        );
      }
    }
    if (this.cells > this.limits.maxCells) {
      throw new UnprocessableDocumentError(
        'too_large',
        `The spreadsheet has more than ${this.limits.maxCells} filled cells; at most ${this.limits.maxCells} are accepted.`,
      );
    }
    if (values.every((value) => value === '')) return;
    if (this.header === undefined) {
      this.header = values;
      this.text.add(this.label, values.filter((value) => value !== '').join(' | '), rowNumber);
      return;
    }
    const header = this.header;
    const line = values
      .map((value, column) => {
        if (value === '') return '';
        const name = header[column] || columnName(column);
        return `${name}: ${value}`;
      })
      .filter((part) => part !== '')
      .join('; ');
    this.text.add(this.label, line, rowNumber);
  }
}

/** 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  }
  return name;
}

/** "AB12" → 27 (0-based column); undefined when the reference has no letters. */
export function columnIndex(reference: string): number | undefined {
  const letters = /^[A-Z]+/i.exec(reference)?.[0];
  if (!letters) return undefined;
  let index = 0;
  for (const letter of letters.toUpperCase()) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}
