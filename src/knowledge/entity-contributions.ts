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
  const name = mostGiven(contributions.map((contribution) => contribution.name));
  const typed = contributions.map((contribution) => contribution.type).filter((t) => t !== 'other');
  const type = typed.length > 0 ? mostGiven(typed) : 'other';
  const aliases = new Set<string>();
  for (const contribution of contributions) {
    aliases.add(contribution.name);
    for (const alias of contribution.aliases) aliases.add(alias);
  }
  aliases.delete(name);
  return { name, type, aliases: [...aliases].sort(compareCodePoints) };
}

function mostGiven(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort(
    ([a, countA], [b, countB]) => countB - countA || compareCodePoints(a, b),
  )[0][0];
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
