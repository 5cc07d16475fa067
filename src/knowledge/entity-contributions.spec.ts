import { deriveEntity, type EntityContribution } from './entity-contributions';

const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1
    ? [[...items]]
    : items.flatMap((item, index) =>
        permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
          item,
          ...rest,
        ]),
      );

describe('deriveEntity', () => {
  it("is one document's own name, type and aliases when it alone mentions the entity", () => {
    expect(deriveEntity([{ name: 'IBM', type: 'organization', aliases: ['Big Blue'] }])).toEqual({
      name: 'IBM',
      type: 'organization',
      aliases: ['Big Blue'],
    });
  });

  it('takes the most given name and type, and every other surface as an alias', () => {
    expect(
      deriveEntity([
        { name: 'Acme', type: 'other', aliases: [] },
        { name: 'ACME', type: 'organization', aliases: ['Acme Corporation'] },
        { name: 'ACME', type: 'other', aliases: ['Acme Co'] },
      ]),
    ).toEqual({
      name: 'ACME',
      type: 'organization',
      aliases: ['Acme', 'Acme Co', 'Acme Corporation'],
    });
  });

  it("keeps 'other' only when no document typed the entity", () => {
    expect(
      deriveEntity([
        { name: 'Zeta', type: 'other', aliases: [] },
        { name: 'Zeta', type: 'other', aliases: [] },
      ]).type,
    ).toBe('other');
  });

  it('gives the same result in every order of the same contributions (ties included)', () => {
    const contributions: EntityContribution[] = [
      { name: 'Paris', type: 'place', aliases: ['City of Light'] },
      { name: 'PARIS', type: 'person', aliases: [] },
      { name: 'Paris', type: 'person', aliases: ['Paname'] },
      { name: 'PARIS', type: 'place', aliases: ['Ville Lumière'] },
    ];
    const results = permutations(contributions).map(deriveEntity);
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]).toEqual({
      name: 'PARIS',
      type: 'person',
      aliases: ['City of Light', 'Paname', 'Paris', 'Ville Lumière'],
    });
  });

  it('refuses an entity nobody contributes to', () => {
    expect(() => deriveEntity([])).toThrow('at least one contribution');
  });
});
