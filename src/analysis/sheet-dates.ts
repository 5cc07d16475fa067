import { Parser } from 'htmlparser2';

/** What a number format shows of a serial date-time, when it shows one at all. */
export type DateKind = 'date' | 'time' | 'datetime';

/**
 * Excel's built-in number formats that show dates or times (ECMA-376 part 1, 18.8.30): the
 * workbook names them by id only.
 */
const BUILT_IN_DATE_FORMATS: ReadonlyMap<number, DateKind> = new Map([
  [14, 'date'],
  [15, 'date'],
  [16, 'date'],
  [17, 'date'],
  [18, 'time'],
  [19, 'time'],
  [20, 'time'],
  [21, 'time'],
  [22, 'datetime'],
  [45, 'time'],
  [46, 'time'],
  [47, 'time'],
]);

/**
 * The kind of a custom format code, or undefined when it shows a plain number. Quoted text,
 * escaped characters and bracketed parts (colours, conditions, locales) say nothing about it.
 */
export function formatCodeKind(code: string): DateKind | undefined {
  const tokens = code
    .split(';')[0]
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?![hms]+\])[^\]]*\]/gi, '')
    .toLowerCase();
  const hasDate = /[yd]/.test(tokens);
  const hasTime = /[hs]/.test(tokens);
  if (hasDate && hasTime) return 'datetime';
  if (hasDate) return 'date';
  if (hasTime) return 'time';
  // "mmm yyyy" has a y; a lone month ("mmmm") is a date too.
  return /m/.test(tokens) ? 'date' : undefined;
}

/**
 * Per cell style index (the `s` attribute of a cell), what its number format shows: read from
 * the <cellXfs> list of xl/styles.xml and its custom <numFmts>.
 */
export function cellStyleDateKinds(stylesXml: string | undefined): Map<number, DateKind> {
  const kinds = new Map<number, DateKind>();
  if (stylesXml === undefined) return kinds;
  const customFormats = new Map<number, DateKind | undefined>();
  const styleFormats: number[] = [];
  let inCellXfs = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'numFmt') {
          customFormats.set(
            Number(attributes.numFmtId),
            formatCodeKind(attributes.formatCode ?? ''),
          );
        } else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) styleFormats.push(Number(attributes.numFmtId ?? 0));
      },
      onclosetag(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(stylesXml);
  styleFormats.forEach((formatId, styleIndex) => {
    const kind = customFormats.has(formatId)
      ? customFormats.get(formatId)
      : BUILT_IN_DATE_FORMATS.get(formatId);
    if (kind) kinds.set(styleIndex, kind);
  });
  return kinds;
}

const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 date system, as Excel counts it (it keeps Lotus's 29 February 1900). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/**
 * A serial date-time as text: `2024-01-31`, `14:30` (`14:30:15` with seconds) or both. A value
 * that is not a finite number, or falls outside years 1–9999, is left as it was written.
 */
export function serialDateText(value: string, kind: DateKind, date1904 = false): string {
  const serial = Number(value);
  if (value.trim() === '' || !Number.isFinite(serial) || serial < 0 || serial > 2_958_465) {
    return value;
  }
  // Serials before 1 March 1900 come before Excel's phantom 29 February.
  const epoch = date1904 ? EPOCH_1904 : serial < 61 ? EPOCH_1900 + MS_PER_DAY : EPOCH_1900;
  const at = new Date(epoch + Math.round((serial * MS_PER_DAY) / 1000) * 1000);
  const iso = at.toISOString();
  const day = iso.slice(0, 10);
  const seconds = at.getUTCSeconds() === 0 ? iso.slice(11, 16) : iso.slice(11, 19);
  if (kind === 'date') return day;
  if (kind === 'time') return seconds;
  return `${day} ${seconds}`;
}
