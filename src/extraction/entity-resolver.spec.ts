import { EntityResolver, type EntityCandidate } from './entity-resolver';
import { entityKey } from './normalize';
import type { ExtractionResult } from './types';

function candidate(
  name: string,
  type?: EntityCandidate['type'],
  aliases: string[] = [],
): EntityCandidate {
  return { key: entityKey(name), name, aliases, type };
}

describe('EntityResolver', () => {
  it('merges an acronym with the one long form it abbreviates in the same result', () => {
    const canonical = new EntityResolver().resolve([
      candidate('New York City', 'place'),
      candidate('NYC'),
    ]);
    expect(canonical.get('nyc')).toBe('new york city');
    expect(canonical.get('new york city')).toBe('new york city');
  });

  it('leaves an ambiguous acronym alone', () => {
    const canonical = new EntityResolver().resolve([
      candidate('National Basketball Association'),
      candidate('National Bar Association'),
      candidate('NBA'),
    ]);
    expect(canonical.get('nba')).toBe('nba');
  });

  it('follows declared aliases and resolves against the workspace index', () => {
    const resolver = new EntityResolver([
      { key: 'new york city', name: 'New York City', aliases: ['NYC'] },
    ]);
    expect(resolver.resolve([candidate('NYC')]).get('nyc')).toBe('new york city');
    const fromAlias = new EntityResolver([{ key: 'nyc', name: 'NYC', aliases: [] }]);
    expect(
      fromAlias.resolve([candidate('New York City', 'place', ['NYC'])]).get('new york city'),
    ).toBe('nyc');
  });

  it('merges a bare surname with the one full name ending with it', () => {
    const canonical = new EntityResolver().resolve([
      candidate('Carl Rogers', 'person'),
      candidate('Rogers'),
    ]);
    expect(canonical.get('rogers')).toBe('carl rogers');
    const ambiguous = new EntityResolver().resolve([
      candidate('Carl Rogers', 'person'),
      candidate('Ginger Rogers', 'person'),
      candidate('Rogers'),
    ]);
    expect(ambiguous.get('rogers')).toBe('rogers');
    const institution = new EntityResolver().resolve([
      candidate('American Institute of Physics'),
      candidate('Physics'),
    ]);
    expect(institution.get('physics')).toBe('physics');
  });

  it('gives the same answer whatever the order of its input', () => {
    const input = [
      candidate('NYC'),
      candidate('New York City', 'place'),
      candidate('Rogers'),
      candidate('Carl Rogers', 'person'),
      candidate('US'),
    ];
    const known = [{ key: 'united states', name: 'United States', aliases: [] }];
    const forward = new EntityResolver(known).resolve(input);
    const backward = new EntityResolver([...known].reverse()).resolve([...input].reverse());
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
    expect(forward.get('us')).toBe('united states');
  });

  it('rewrites a whole result onto canonical keys', () => {
    const result: ExtractionResult = {
      entities: [
        {
          key: 'new york city',
          name: 'New York City',
          type: 'place',
          aliases: [],
          mentions: [{ chunkId: 'c1', start: 0, end: 13, surface: 'New York City' }],
        },
        {
          key: 'nyc',
          name: 'NYC',
          type: 'other',
          aliases: [],
          mentions: [{ chunkId: 'c1', start: 15, end: 18, surface: 'NYC' }],
        },
        {
          key: 'brooklyn',
          name: 'Brooklyn',
          type: 'place',
          aliases: [],
          mentions: [{ chunkId: 'c1', start: 30, end: 38, surface: 'Brooklyn' }],
        },
      ],
      relations: [
        {
          sourceKey: 'brooklyn',
          targetKey: 'nyc',
          predicate: 'part of',
          chunkId: 'c1',
          evidence: 's',
          weight: 0.5,
        },
        {
          sourceKey: 'brooklyn',
          targetKey: 'new york city',
          predicate: 'part of',
          chunkId: 'c1',
          evidence: 's',
          weight: 0.8,
        },
        {
          sourceKey: 'nyc',
          targetKey: 'new york city',
          predicate: 'related_to',
          chunkId: 'c1',
          evidence: 's',
          weight: 1,
        },
      ],
    };
    const resolved = new EntityResolver().resolveResult(result);
    expect(resolved.entities.map((entity) => entity.key)).toEqual(['brooklyn', 'new york city']);
    const city = resolved.entities.find((entity) => entity.key === 'new york city');
    expect(city?.aliases).toEqual(['NYC']);
    expect(city?.type).toBe('place');
    expect(city?.mentions).toHaveLength(2);
    expect(resolved.relations).toEqual([
      {
        sourceKey: 'brooklyn',
        targetKey: 'new york city',
        predicate: 'part of',
        chunkId: 'c1',
        evidence: 's',
        weight: 0.8,
      },
    ]);
  });
});
