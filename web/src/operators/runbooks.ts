// The runbooks of docs/operations.md, bundled with the console: each alert rule's runbook_url
// names its section there (docs/operations.md#runbook-<alert>), which the console shows itself.
import operations from '../../../docs/operations.md?raw';

export interface RunbookSection {
  title: string;
  /** Blocks of the section: paragraphs, and lists as arrays of items. */
  blocks: (string | string[])[];
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

/** The section of docs/operations.md under the heading with this anchor, or null. */
export function runbookSection(anchor: string, source = operations): RunbookSection | null {
  const lines = source.split('\n');
  const start = lines.findIndex(
    (line) => /^#{2,4} /.test(line) && headingAnchor(line.replace(/^#+ /, '')) === anchor,
  );
  if (start < 0) return null;
  const level = /^#+/.exec(lines[start])![0].length;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const heading = /^(#+) /.exec(line);
    if (heading && heading[1].length <= level) break;
    body.push(line);
  }
  const blocks: (string | string[])[] = [];
  for (const block of body.join('\n').split(/\n\s*\n/)) {
    const text = block.trim();
    if (!text) continue;
    if (text.startsWith('- ')) {
      blocks.push(text.split(/\n- /).map((item) => item.replace(/^- /, '').replace(/\s+/g, ' ')));
    } else {
      blocks.push(text.replace(/\s+/g, ' '));
    }
  }
  return { title: lines[start].replace(/^#+ /, ''), blocks };
}

/** Where the console opens an alert's runbook_url: its own runbook page for docs/operations.md. */
export function runbookLink(url: string): { internal: boolean; href: string } {
  const match = /^(?:\.\/)?docs\/operations\.md#(.+)$/.exec(url);
  return match
    ? { internal: true, href: `/app/runbooks/${match[1]}` }
    : { internal: false, href: url };
}
