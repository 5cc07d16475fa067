import pc from 'picocolors';

export type Colours = ReturnType<typeof pc.createColors>;

/**
 * Where and how a command writes. Results go to stdout; progress and notes to stderr, so that
 * `cairn … --json | jq` sees data only. Colours and bars need a terminal and no NO_COLOR.
 */
export class Output {
  readonly json: boolean;
  /** Colours on stdout. */
  readonly colour: boolean;
  /** Redrawn progress bars on stderr; otherwise plain progress lines. */
  readonly interactive: boolean;
  readonly c: Colours;

  constructor(
    options: { json?: boolean } = {},
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = options.json === true;
    const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    const dumb = env.TERM === 'dumb';
    this.colour = !this.json && !noColour && !dumb && stdout.isTTY === true;
    this.interactive = !this.json && !noColour && !dumb && stderr.isTTY === true;
    this.c = pc.createColors(this.colour);
  }

  /** A line of human output (nothing in --json mode). */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A note about what is happening, on stderr (also in --json mode it stays off stdout). */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** The machine-readable result of a command. */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** JSON in --json mode, else the human rendering. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.data(value);
    else human();
  }

  table(headers: string[], rows: (string | number | null | undefined)[][]): void {
    if (this.json) return;
    this.stdout.write(renderTable(headers, rows, this.c));
  }
}

/** Visible width: what a terminal shows, without colour escapes. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}

export function renderTable(
  headers: string[],
  rows: (string | number | null | undefined)[][],
  c: Colours,
): string {
  const cells = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))),
  );
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...cells.map((row) => visibleLength(row[column] ?? ''))),
  );
  const pad = (text: string, column: number) =>
    column === headers.length - 1 ? text : text + ' '.repeat(widths[column] - visibleLength(text));
  const lines = [
    c.bold(headers.map((header, column) => pad(header, column)).join('  ')),
    ...cells.map((row) => row.map((cell, column) => pad(cell, column)).join('  ')),
  ];
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** Shortens text to `max` visible characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Shortens text to `max` visible characters keeping its end (a path's file name). */
export function truncateStart(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `…${chars.slice(chars.length - max + 1).join('')}`;
}

/**
 * Highlights the query's words (3+ letters, case-insensitive) in a passage; plain text when
 * colours are off, where the words are marked with nothing so scripts read the passage as is.
 */
export function highlightTerms(text: string, query: string, c: Colours): string {
  const terms = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
  if (terms.length === 0 || !c.isColorSupported) return text;
  const escaped = terms.map((term) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu');
  return text.replace(pattern, (match) => c.bold(c.yellow(match)));
}
