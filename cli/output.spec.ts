import pc from 'picocolors';
import { highlightTerms, renderTable, truncate, visibleLength } from './output';
import { renderGraphTree } from './commands/search';

const plain = pc.createColors(false);
const coloured = pc.createColors(true);

describe('terminal rendering', () => {
  it('pads table columns to their widest visible cell, colours aside', () => {
    const table = renderTable(
      ['id', 'status'],
      [
        ['a', coloured.green('indexed')],
        ['long-id', 'failed'],
      ],
      plain,
    );
    expect(table).toBe('id       status\na        \u001b[32mindexed\u001b[39m\nlong-id  failed\n');
    expect(visibleLength(coloured.green('indexed'))).toBe(7);
  });

  it('highlights the query words in colour only', () => {
    const text = 'Helga Marston founded Voltara in Oslo.';
    expect(highlightTerms(text, 'who founded voltara?', plain)).toBe(text);
    const marked = highlightTerms(text, 'who founded voltara?', coloured);
    expect(marked).toContain(coloured.bold(coloured.yellow('founded')));
    expect(marked).toContain(coloured.bold(coloured.yellow('Voltara')));
    expect(marked).not.toContain(coloured.yellow('Oslo'));
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('draws a neighbourhood as a tree, each node once, relations with their direction', () => {
    const nodes = [
      { id: 'helga', label: 'Helga Marston', type: 'person', mentions: 3, depth: 0 },
      { id: 'voltara', label: 'Voltara', type: 'org', mentions: 5, depth: 1 },
      { id: 'oslo', label: 'Oslo', type: 'place', mentions: 2, depth: 1 },
      { id: 'nordlys', label: 'Nordlys', type: 'org', mentions: 1, depth: 2 },
    ];
    const edges = [
      { source: 'helga', target: 'voltara', label: 'founded', count: 2 },
      { source: 'helga', target: 'oslo', label: 'lives in', count: 1 },
      { source: 'nordlys', target: 'voltara', label: 'buys from', count: 1 },
      { source: 'voltara', target: 'oslo', label: 'based in', count: 1 },
    ];
    expect(renderGraphTree('helga', nodes, edges, plain)).toEqual([
      'Helga Marston (person, 3 mentions)',
      '├─ —founded→ ×2 Voltara (org, 5 mentions)',
      '│  └─ ←buys from— Nordlys (org, 1 mentions)',
      '└─ —lives in→ Oslo (place, 2 mentions)',
    ]);
  });
});
