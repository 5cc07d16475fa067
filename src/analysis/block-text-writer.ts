/**
 * Accumulates the text of a parsed document (HTML, Markdown): inline runs of whitespace collapse
 * to one space as a browser would, while block boundaries become line breaks ("\n" between lines
 * of one block such as list items, "\n\n" between paragraphs). Breaks are only written when more
 * text follows, so the result never starts or ends with whitespace.
 */
export class BlockTextWriter {
  private readonly parts: string[] = [];
  private pendingBreak: Separator = '';
  private hasText = false;

  /** Inline text: whitespace inside it and around it collapses. */
  text(raw: string): void {
    const collapsed = raw.replace(/\s+/g, ' ');
    const core = collapsed.trim();
    if (collapsed.startsWith(' ')) this.requestBreak(' ');
    if (core === '') return;
    this.write(core);
    if (collapsed.endsWith(' ')) this.requestBreak(' ');
  }

  /** Preformatted text (code blocks): written as is. */
  preformatted(raw: string): void {
    if (raw !== '') this.write(raw);
  }

  lineBreak(): void {
    this.requestBreak('\n');
  }

  /** Between two table cells of one row. */
  cellBreak(): void {
    this.requestBreak(' | ');
  }

  paragraphBreak(): void {
    this.requestBreak('\n\n');
  }

  toString(): string {
    // Preformatted text may bring its own line ends next to requested breaks: tidy the seams.
    return this.parts
      .join('')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  private write(text: string): void {
    if (this.hasText && this.pendingBreak !== '') this.parts.push(this.pendingBreak);
    this.parts.push(text);
    this.pendingBreak = '';
    this.hasText = true;
  }

  private requestBreak(separator: Separator): void {
    // The strongest requested separator wins: a space never weakens a paragraph break.
    if (SEPARATOR_STRENGTH[separator] > SEPARATOR_STRENGTH[this.pendingBreak]) {
      this.pendingBreak = separator;
    }
  }
}

type Separator = '' | ' ' | ' | ' | '\n' | '\n\n';

const SEPARATOR_STRENGTH: Record<Separator, number> = {
  '': 0,
  ' ': 1,
  ' | ': 2,
  '\n': 3,
  '\n\n': 4,
};
