import type { SectionSpan } from './extracted-document';

/**
 * Builds a document's text out of labelled pieces (slides, rows, chapters) and remembers where
 * each piece sits. Pieces are separated by a blank line; consecutive rows of one label by a
 * line break, so that a chunk of a sheet reads as consecutive lines.
 */
export class SectionedText {
  private text = '';
  private readonly sections: SectionSpan[] = [];

  add(label: string, content: string, row?: number): void {
    const piece = content.trim();
    if (piece === '') return;
    if (this.text !== '') {
      const previous = this.sections[this.sections.length - 1];
      const sameSheet =
        row !== undefined && previous?.row !== undefined && previous.label === label;
      this.text += sameSheet ? '\n' : '\n\n';
    }
    const start = this.text.length;
    this.text += piece;
    this.sections.push({
      label,
      start,
      end: this.text.length,
      ...(row !== undefined ? { row } : {}),
    });
  }

  get length(): number {
    return this.text.length;
  }

  build(): { text: string; sections: SectionSpan[] } {
    return { text: this.text, sections: this.sections };
  }
}
