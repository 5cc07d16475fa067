/**
 * What one document says about an entity it mentions: the name, type and aliases its own
 * extraction gave (resolved within that document only). Stored on the document's CONTRIBUTES
 * relationship to the entity.
 */
export interface EntityContribution {
  name: string;
  type: string;
  aliases: readonly string[];
}

/** The entity's properties as the graph shows them, derived from all of its contributions. */
export interface DerivedEntity {
  name: string;
  type: string;
  aliases: string[];
}

/**
 * How many contributions gave each name, each type and each surface (a name or alias; once per
 * contribution): all that deriveEntity needs, and of a size set by the entity's distinct
 * spellings, not by how many documents name it. Stored on the entity (tallyToJson) and updated by
 * the contributions a transaction adds and removes, so that deriving a dense entity (a country
 * named by thousands of documents) does not read all of its contributions every time.
 */
export interface ContributionTally {
  names: Map<string, number>;
  types: Map<string, number>;
  surfaces: Map<string, number>;
}

export const emptyTally = (): ContributionTally => ({
  names: new Map(),
  types: new Map(),
  surfaces: new Map(),
});

/** Adds (sign 1) or takes back (sign -1) contributions; counts that reach 0 are dropped. */
export function applyContributions(
  tally: ContributionTally,
  contributions: readonly EntityContribution[],
  sign: 1 | -1,
): ContributionTally {
  const result: ContributionTally = {
    names: new Map(tally.names),
    types: new Map(tally.types),
    surfaces: new Map(tally.surfaces),
  };
  const bump = (counts: Map<string, number>, key: string) => {
    const count = (counts.get(key) ?? 0) + sign;
    if (count < 0) throw new Error(`contribution tally: "${key}" taken back more than given`);
    if (count === 0) counts.delete(key);
    else counts.set(key, count);
  };
  for (const contribution of contributions) {
    bump(result.names, contribution.name);
    bump(result.types, contribution.type);
    for (const surface of new Set([contribution.name, ...contribution.aliases])) {
      bump(result.surfaces, surface);
    }
  }
  return result;
}

/** How many contributions a tally counts (each gives exactly one name). */
export const tallySize = (tally: ContributionTally): number =>
  [...tally.names.values()].reduce((total, count) => total + count, 0);

/** The stored form: entry lists in code-point order (a key such as "__proto__" stays data). */
export function tallyToJson(tally: ContributionTally): string {
  const entries = (counts: Map<string, number>) =>
    [...counts].sort(([a], [b]) => compareCodePoints(a, b));
  return JSON.stringify({
    names: entries(tally.names),
    types: entries(tally.types),
    surfaces: entries(tally.surfaces),
  });
}

export function tallyFromJson(json: string): ContributionTally {
  const stored = JSON.parse(json) as Record<keyof ContributionTally, [string, number][]>;
  return {
    names: new Map(stored.names),
    types: new Map(stored.types),
    surfaces: new Map(stored.surfaces),
  };
}

/**
 * Derives an entity's name, type and aliases from the contributions of the documents that
 * mention it. A pure function of the set of contributions, whatever their order, so that the
 * graph after any sequence of uploads, re-processings and deletes equals the graph of the
 * remaining documents uploaded once:
 * - name: the name most documents gave, ties broken by code-point order;
 * - type: the most given type other than 'other' (ties by code-point order), else 'other';
 * - aliases: every other name and alias any document gave, sorted.
 */
export function deriveEntity(contributions: readonly EntityContribution[]): DerivedEntity {
  if (contributions.length === 0) throw new Error('an entity needs at least one contribution');
  return deriveFromTally(applyContributions(emptyTally(), contributions, 1));
}

/** deriveEntity from the tally of the contributions (the same result by construction). */
export function deriveFromTally(tally: ContributionTally): DerivedEntity {
  if (tallySize(tally) === 0) throw new Error('an entity needs at least one contribution');
  const name = mostGiven([...tally.names]);
  const typed = [...tally.types].filter(([type]) => type !== 'other');
  const type = typed.length > 0 ? mostGiven(typed) : 'other';
  const aliases = [...tally.surfaces.keys()].filter((surface) => surface !== name);
  return { name, type, aliases: aliases.sort(compareCodePoints) };
}

function mostGiven(counts: [string, number][]): string {
  return [...counts].sort(
    ([a, countA], [b, countB]) => countB - countA || compareCodePoints(a, b),
  )[0][0];
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
