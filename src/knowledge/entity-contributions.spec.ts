import {
  applyContributions,
  deriveEntity,
  deriveFromTally,
  emptyTally,
  tallyFromJson,
  tallySize,
  tallyToJson,
  type EntityContribution,
} from './entity-contributions';

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

describe('contribution tally', () => {
  const given: EntityContribution[] = [
    { name: 'Paris', type: 'place', aliases: ['City of Light', 'Paris'] },
    { name: 'PARIS', type: 'person', aliases: [] },
    { name: 'Paris', type: 'other', aliases: ['Paname'] },
    { name: '__proto__', type: 'place', aliases: ['constructor'] },
    { name: 'PARIS', type: 'place', aliases: ['Ville Lumière', 'Paname'] },
  ];

  it('derives what deriveEntity derives, after any additions and removals', () => {
    // Added one at a time, some taken back and given again: always the remaining set's result.
    let tally = emptyTally();
    const present: EntityContribution[] = [];
    for (const [index, contribution] of given.entries()) {
      tally = applyContributions(tally, [contribution], 1);
      present.push(contribution);
      expect(deriveFromTally(tally)).toEqual(deriveEntity(present));
      if (index % 2 === 1) {
        const [taken] = present.splice(0, 1);
        tally = applyContributions(tally, [taken], -1);
        expect(deriveFromTally(tally)).toEqual(deriveEntity(present));
      }
    }
    expect(tallySize(tally)).toBe(present.length);
    expect(tallySize(applyContributions(tally, present, -1))).toBe(0);
  });

  it('is stored and read back as data, whatever the names (no prototype keys)', () => {
    const tally = applyContributions(emptyTally(), given, 1);
    const stored = tallyToJson(tally);
    expect(tallyFromJson(stored)).toEqual(tally);
    expect(tallyToJson(tallyFromJson(stored))).toBe(stored);
    // The same set in another order is stored the same.
    expect(tallyToJson(applyContributions(emptyTally(), [...given].reverse(), 1))).toBe(stored);
    expect(deriveFromTally(tallyFromJson(stored))).toEqual(deriveEntity(given));
  });

  it('refuses to take back what was never given', () => {
    const tally = applyContributions(emptyTally(), [given[0]], 1);
    expect(() => applyContributions(tally, [given[1]], -1)).toThrow('taken back more than given');
    expect(() => deriveFromTally(emptyTally())).toThrow('at least one contribution');
  });
});
