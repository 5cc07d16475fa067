import { entityKey, isAcronymFor, looksLikeAcronym, wellKnownLongForm } from './normalize';
import type {
  EntityMention,
  EntityType,
  ExtractedEntity,
  ExtractedRelation,
  ExtractionResult,
} from './types';

/** What the workspace already has, as the caller read it from the graph. */
export interface KnownEntity {
  key: string;
  name: string;
  aliases: string[];
}

export interface EntityCandidate {
  key: string;
  name: string;
  aliases: string[];
  type?: EntityType;
}

/** Disjoint sets over keys; the representative is chosen afterwards, so union order is irrelevant. */
class KeyUnion {
  private readonly parent = new Map<string, string>();

  find(key: string): string {
    let root = key;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(key, root);
    return root;
  }

  union(a: string, b: string): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA !== rootB)
      this.parent.set(rootA > rootB ? rootA : rootB, rootA > rootB ? rootB : rootA);
  }
}

function wordCount(name: string): number {
  return name.split(/\s+/).filter((word) => word.length > 0).length;
}

/** Total order for picking the name a group is known by: spelled-out long forms first. */
function compareRepresentatives(a: EntityCandidate, b: EntityCandidate): number {
  const acronymA = looksLikeAcronym(a.name) ? 1 : 0;
  const acronymB = looksLikeAcronym(b.name) ? 1 : 0;
  if (acronymA !== acronymB) return acronymA - acronymB;
  const words = wordCount(b.name) - wordCount(a.name);
  if (words !== 0) return words;
  if (a.name.length !== b.name.length) return b.name.length - a.name.length;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Keys a candidate may be known under besides its own: its aliases and the alias table's long form. */
function lookupKeys(candidate: EntityCandidate): string[] {
  const keys = new Set<string>([candidate.key]);
  for (const surface of [candidate.name, ...candidate.aliases]) {
    keys.add(entityKey(surface));
    const longForm = wellKnownLongForm(surface);
    if (longForm !== undefined) keys.add(entityKey(longForm));
  }
  keys.delete('');
  return [...keys].sort();
}

function mergeCandidatesByKey(candidates: readonly EntityCandidate[]): EntityCandidate[] {
  const byKey = new Map<string, EntityCandidate>();
  for (const candidate of candidates) {
    const existing = byKey.get(candidate.key);
    if (existing === undefined) {
      byKey.set(candidate.key, { ...candidate, aliases: [...candidate.aliases] });
      continue;
    }
    const best = compareRepresentatives(candidate, existing) < 0 ? candidate : existing;
    const aliases = new Set([
      ...existing.aliases,
      ...candidate.aliases,
      existing.name,
      candidate.name,
    ]);
    aliases.delete(best.name);
    byKey.set(candidate.key, {
      key: candidate.key,
      name: best.name,
      aliases: [...aliases].sort(),
      type:
        existing.type !== undefined && existing.type !== 'other' ? existing.type : candidate.type,
    });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * Decides which candidate entities are the same thing, within one extraction result (one document)
 * and against the workspace's existing entities, and returns the key to MERGE each one on.
 * Pure and deterministic: the answer depends on the sets given, not on their order.
 */
export class EntityResolver {
  /** lookup key → keys of known entities named or aliased that way */
  private readonly knownByLookupKey = new Map<string, Set<string>>();
  private readonly knownByKey = new Map<string, KnownEntity>();

  constructor(known: readonly KnownEntity[] = []) {
    for (const entity of known) {
      this.knownByKey.set(entity.key, entity);
      for (const surface of [entity.name, ...entity.aliases])
        this.indexKnown(entityKey(surface), entity.key);
      this.indexKnown(entity.key, entity.key);
    }
  }

  private indexKnown(lookupKey: string, knownKey: string): void {
    if (lookupKey === '') return;
    const keys = this.knownByLookupKey.get(lookupKey) ?? new Set<string>();
    keys.add(knownKey);
    this.knownByLookupKey.set(lookupKey, keys);
  }

  /** candidate key → canonical key (the candidate's own key when nothing else matches). */
  resolve(candidatesInput: readonly EntityCandidate[]): Map<string, string> {
    const candidates = mergeCandidatesByKey(candidatesInput);
    const byKey = new Map(candidates.map((candidate) => [candidate.key, candidate]));
    const groups = new KeyUnion();

    // Declared aliases and the alias table: "NYC" with alias-evidence of "New York City".
    for (const candidate of candidates) {
      for (const key of lookupKeys(candidate)) if (byKey.has(key)) groups.union(candidate.key, key);
    }

    // An acronym seen in the same document as exactly one long form it abbreviates.
    const longForms = candidates.filter((candidate) => !looksLikeAcronym(candidate.name));
    for (const candidate of candidates) {
      if (!looksLikeAcronym(candidate.name)) continue;
      const matches = longForms.filter((long) => isAcronymFor(candidate.name, long.name));
      const distinctGroups = new Set(matches.map((long) => groups.find(long.key)));
      if (distinctGroups.size === 1) groups.union(candidate.key, matches[0].key);
    }

    // A bare surname ("Rogers") in the same document as exactly one full name ending with it.
    // Full names untyped by the lexicon ("Theodoros Kolokotronis") count too when short enough.
    const people = candidates.filter(
      (candidate) =>
        (candidate.type === 'person' ||
          candidate.type === 'other' ||
          candidate.type === undefined) &&
        wordCount(candidate.key) >= 2 &&
        wordCount(candidate.key) <= 4 &&
        // "American Institute of Physics" is no person's name: names have no lower-case words.
        !/(^|\s)\p{Ll}/u.test(candidate.name),
    );
    // A full name with and without middle names ("Kevin Wayne Durant", "Kevin Durant").
    for (const shorter of people) {
      const [first, ...rest] = shorter.key.split(' ');
      const last = rest[rest.length - 1];
      for (const longer of people) {
        const words = longer.key.split(' ');
        if (
          words.length > rest.length + 1 &&
          words[0] === first &&
          words[words.length - 1] === last
        )
          groups.union(shorter.key, longer.key);
      }
    }
    for (const candidate of candidates) {
      if (wordCount(candidate.key) !== 1) continue;
      if (candidate.type !== undefined && candidate.type !== 'person' && candidate.type !== 'other')
        continue;
      const matches = people.filter((person) => person.key.endsWith(` ${candidate.key}`));
      const distinctGroups = new Set(matches.map((person) => groups.find(person.key)));
      if (distinctGroups.size === 1) groups.union(candidate.key, matches[0].key);
    }

    const members = new Map<string, EntityCandidate[]>();
    for (const candidate of candidates) {
      const root = groups.find(candidate.key);
      members.set(root, [...(members.get(root) ?? []), candidate]);
    }

    const canonical = new Map<string, string>();
    for (const group of members.values()) {
      const ordered = [...group].sort(compareRepresentatives);
      const target = this.matchKnown(ordered) ?? ordered[0].key;
      for (const candidate of group) canonical.set(candidate.key, target);
    }
    for (const candidate of candidatesInput) {
      if (!canonical.has(candidate.key)) canonical.set(candidate.key, candidate.key);
    }
    return canonical;
  }

  /** The known entity a group is, preferring an exact key match of its best-named member. */
  private matchKnown(orderedGroup: readonly EntityCandidate[]): string | undefined {
    for (const candidate of orderedGroup) {
      if (this.knownByKey.has(candidate.key)) return candidate.key;
    }
    const aliasMatches = new Set<string>();
    for (const candidate of orderedGroup) {
      for (const key of lookupKeys(candidate)) {
        for (const knownKey of this.knownByLookupKey.get(key) ?? []) aliasMatches.add(knownKey);
      }
    }
    return [...aliasMatches].sort()[0];
  }

  /** Applies `resolve` to a whole result: merged entities, relations rewritten onto canonical keys. */
  resolveResult(result: ExtractionResult): ExtractionResult {
    const canonical = this.resolve(
      result.entities.map(({ key, name, aliases, type }) => ({ key, name, aliases, type })),
    );
    const merged = new Map<string, ExtractedEntity[]>();
    for (const entity of result.entities) {
      const key = canonical.get(entity.key) ?? entity.key;
      merged.set(key, [...(merged.get(key) ?? []), entity]);
    }
    const entities = [...merged.entries()]
      .map(([key, parts]) => this.mergeEntities(key, parts))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const relations = dedupeRelations(
      result.relations.map((relation) => ({
        ...relation,
        sourceKey: canonical.get(relation.sourceKey) ?? relation.sourceKey,
        targetKey: canonical.get(relation.targetKey) ?? relation.targetKey,
      })),
    );
    return { entities, relations };
  }

  private mergeEntities(key: string, parts: ExtractedEntity[]): ExtractedEntity {
    const ordered = [...parts].sort(compareRepresentatives);
    const name = this.knownByKey.get(key)?.name ?? ordered[0].name;
    const aliases = new Set<string>();
    for (const part of parts)
      for (const surface of [part.name, ...part.aliases]) aliases.add(surface);
    aliases.delete(name);
    const type =
      ordered.map((part) => part.type).find((candidate) => candidate !== 'other') ?? 'other';
    const mentions = dedupeMentions(parts.flatMap((part) => part.mentions));
    return { key, name, type, aliases: [...aliases].sort(), mentions };
  }
}

function dedupeMentions(mentions: EntityMention[]): EntityMention[] {
  const seen = new Map<string, EntityMention>();
  for (const mention of mentions)
    seen.set(`${mention.chunkId}\u0000${mention.start}\u0000${mention.end}`, mention);
  return [...seen.values()].sort((a, b) =>
    a.chunkId !== b.chunkId ? (a.chunkId < b.chunkId ? -1 : 1) : a.start - b.start || a.end - b.end,
  );
}

/**
 * One relation per (source, target, predicate, chunk), the graph's identity of a RELATED_TO edge,
 * the strongest kept; no self-loops. The graph write CREATEs the edges, so they must be unique.
 */
export function dedupeRelations(relations: readonly ExtractedRelation[]): ExtractedRelation[] {
  const strongest = new Map<string, ExtractedRelation>();
  for (const relation of relations) {
    if (relation.sourceKey === relation.targetKey) continue;
    const id = [relation.sourceKey, relation.targetKey, relation.predicate, relation.chunkId].join(
      '\u0000',
    );
    const existing = strongest.get(id);
    if (existing === undefined || relation.weight > existing.weight) strongest.set(id, relation);
  }
  return [...strongest.values()].sort(
    (a, b) =>
      compareStrings(a.chunkId, b.chunkId) ||
      compareStrings(a.sourceKey, b.sourceKey) ||
      compareStrings(a.targetKey, b.targetKey) ||
      compareStrings(a.predicate, b.predicate) ||
      compareStrings(a.evidence, b.evidence),
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
