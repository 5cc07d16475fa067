/**
 * A structural check that a Cypher statement stays inside one workspace: every node pattern it
 * MATCHes, MERGEs or CREATEs must be bound to $workspaceId. Neo4jGraphStore runs it on every
 * statement before sending it (the runtime guard); test/integration/cypher-scope.int-spec.ts
 * runs the repositories and checks what they sent.
 *
 * A node pattern is bound when
 *   - its map holds `workspaceId: $workspaceId`, or
 *   - a WHERE of its MATCH says `n.workspaceId = $workspaceId` (as a conjunct: a WHERE with a
 *     top-level OR proves nothing), or
 *   - (MATCH only) it sits on one path with a bound node: every relationship Cairn creates joins
 *     two bound nodes (this check applies to the CREATE and MERGE that make them), so a
 *     relationship never leaves its workspace, or
 *   - its variable is already bound: by an earlier pattern, or as a value derived only from
 *     bound variables (`collect(e) AS entities`, `entities[i] AS a`, FOREACH, UNWIND), or
 *   - (MATCH only, a named node) a later `WITH … WHERE n.workspaceId = $workspaceId` filters it
 *     before anything is written or returned: the element-id lookups of the document graph,
 *     which keep that check outside their subquery for the planner's sake.
 * A node a CREATE or MERGE makes must carry `workspaceId: $workspaceId` itself unless bound.
 *
 * What it does not read: patterns inside expressions (`WHERE NOT (e)--()`), which can only
 * start from a variable the statement already has. Schema statements (CREATE CONSTRAINT, CREATE
 * INDEX) are not run through the store.
 */

interface Token {
  kind: 'id' | 'param' | 'string' | 'number' | 'punct';
  text: string;
  /** Upper-cased text of identifiers, for keyword comparisons. */
  upper: string;
}

const PUNCT = ['->', '<-', '<>', '<=', '>=', '=~', '+=', '..'];

export function tokenize(cypher: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], text: string) =>
    tokens.push({ kind, text, upper: kind === 'id' ? text.toUpperCase() : text });
  while (i < cypher.length) {
    const ch = cypher[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (cypher.startsWith('//', i)) {
      const end = cypher.indexOf('\n', i);
      i = end < 0 ? cypher.length : end;
    } else if (cypher.startsWith('/*', i)) {
      const end = cypher.indexOf('*/', i + 2);
      if (end < 0) throw new CypherSyntaxError('unterminated comment');
      i = end + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < cypher.length && cypher[j] !== ch) j += cypher[j] === '\\' ? 2 : 1;
      if (j >= cypher.length) throw new CypherSyntaxError('unterminated string');
      push('string', cypher.slice(i, j + 1));
      i = j + 1;
    } else if (ch === '`') {
      const end = cypher.indexOf('`', i + 1);
      if (end < 0) throw new CypherSyntaxError('unterminated `name`');
      push('id', cypher.slice(i + 1, end));
      i = end + 1;
    } else if (ch === '$') {
      const match = /^\$([A-Za-z_][A-Za-z0-9_]*|\d+)/.exec(cypher.slice(i));
      if (!match) throw new CypherSyntaxError('a $ without a parameter name');
      push('param', match[1]);
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(cypher.slice(i))!;
      push('id', match[0]);
      i += match[0].length;
    } else if (/\d/.test(ch)) {
      const match = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(cypher.slice(i))!;
      push('number', match[0]);
      i += match[0].length;
    } else {
      const two = cypher.slice(i, i + 2);
      const text = PUNCT.includes(two) ? two : ch;
      push('punct', text);
      i += text.length;
    }
  }
  return tokens;
}

export class CypherSyntaxError extends Error {
  constructor(reason: string) {
    super(`cannot read the Cypher statement: ${reason}`);
    this.name = 'CypherSyntaxError';
  }
}

const CLAUSES = new Set([
  'MATCH',
  'OPTIONAL',
  'MERGE',
  'CREATE',
  'WITH',
  'RETURN',
  'UNWIND',
  'WHERE',
  'SET',
  'DELETE',
  'DETACH',
  'REMOVE',
  'CALL',
  'FOREACH',
  'ORDER',
  'SKIP',
  'LIMIT',
  'UNION',
  'ON',
  'USE',
  'FINISH',
]);
const HINT_STOPS = new Set([...CLAUSES, 'USING']);
const EXPRESSION_WORDS = new Set([
  'AND',
  'OR',
  'XOR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'DISTINCT',
  'STARTS',
  'ENDS',
  'CONTAINS',
  'AS',
]);

/** One node pattern as written, and whether the check found it bound to the workspace. */
export interface NodePatternScope {
  clause: 'MATCH' | 'MERGE' | 'CREATE';
  text: string;
  variable: string | null;
  bound: boolean;
}

export interface CypherScopeReport {
  nodes: NodePatternScope[];
  problems: string[];
}

interface NodePattern {
  variable: string | null;
  stamped: boolean;
  text: string;
}

/** Every node pattern of the statement, each bound to $workspaceId or named as a problem. */
export function checkCypherScope(cypher: string): CypherScopeReport {
  return new ScopeChecker(tokenize(cypher)).check();
}

class ScopeChecker {
  private pos = 0;
  private readonly bound = new Set<string>();
  /** Named MATCH nodes waiting for a later WITH … WHERE n.workspaceId = $workspaceId. */
  private readonly pending = new Map<string, string>();
  /** The reported node patterns of each pending variable, marked bound once it is. */
  private readonly pendingNodes = new Map<string, NodePatternScope[]>();
  private readonly nodes: NodePatternScope[] = [];
  private readonly problems: string[] = [];
  /** Open braces: subquery bodies ('query') or maps and other expressions ('map'). */
  private readonly braces: ('query' | 'map')[] = [];

  constructor(private readonly tokens: Token[]) {}

  check(): CypherScopeReport {
    while (this.pos < this.tokens.length) this.step();
    for (const [variable, text] of this.pending) {
      this.problems.push(`${text}: (${variable}) is never bound to $workspaceId`);
    }
    return { nodes: this.nodes, problems: this.problems };
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isWord(token: Token | undefined, word: string): boolean {
    return token?.kind === 'id' && token.upper === word;
  }

  private isPunct(token: Token | undefined, text: string): boolean {
    return token?.kind === 'punct' && token.text === text;
  }

  private step(): void {
    const token = this.tokens[this.pos];
    if (token.kind === 'punct' && token.text === '{') {
      const previous = this.tokens[this.pos - 1];
      const opensQuery =
        this.isWord(previous, 'CALL') ||
        this.isWord(previous, 'EXISTS') ||
        this.isWord(previous, 'COUNT') ||
        this.isWord(previous, 'COLLECT') ||
        (this.isPunct(previous, ')') && this.callHeaderEndsAt(this.pos - 1));
      this.braces.push(opensQuery ? 'query' : 'map');
      this.pos++;
      return;
    }
    if (token.kind === 'punct' && token.text === '}') {
      this.braces.pop();
      this.pos++;
      return;
    }
    if (token.kind !== 'id') {
      this.pos++;
      return;
    }
    switch (token.upper) {
      case 'OPTIONAL':
        if (this.isWord(this.peek(1), 'MATCH')) this.pos++;
        this.matchClause();
        return;
      case 'MATCH':
        this.matchClause();
        return;
      case 'MERGE':
      case 'CREATE':
        this.writeGuard(token.upper);
        this.createClause(token.upper);
        return;
      case 'SET':
      case 'DELETE':
      case 'DETACH':
      case 'REMOVE':
        this.writeGuard(token.upper);
        this.pos++;
        return;
      case 'ON':
        // ON CREATE SET / ON MATCH SET of a MERGE: the SET that follows is the clause.
        this.pos += /^(CREATE|MATCH)$/.test(this.peek(1)?.upper ?? '') ? 2 : 1;
        return;
      case 'WITH':
        this.projection(true);
        return;
      case 'RETURN':
        if (!this.braces.includes('query')) this.returnGuard();
        this.projection(false);
        return;
      case 'UNWIND':
        this.unwind();
        return;
      case 'FOREACH':
        this.foreach();
        return;
      default:
        this.pos++;
    }
  }

  /** True when the ')' at `close` ends `CALL (…)`, the imports of a subquery. */
  private callHeaderEndsAt(close: number): boolean {
    let depth = 0;
    for (let i = close; i >= 0; i--) {
      const token = this.tokens[i];
      if (this.isPunct(token, ')')) depth++;
      else if (this.isPunct(token, '(')) {
        depth--;
        if (depth === 0) return this.isWord(this.tokens[i - 1], 'CALL');
      }
    }
    return false;
  }

  private resolvePending(variable: string): void {
    this.pending.delete(variable);
    for (const node of this.pendingNodes.get(variable) ?? []) node.bound = true;
    this.pendingNodes.delete(variable);
  }

  private writeGuard(clause: string): void {
    for (const [variable, text] of this.pending) {
      this.problems.push(`${text}: ${clause} before (${variable}) is bound to $workspaceId`);
    }
    this.pending.clear();
    this.pendingNodes.clear();
  }

  private returnGuard(): void {
    for (const [variable, text] of this.pending) {
      this.problems.push(`${text}: returned before (${variable}) is bound to $workspaceId`);
    }
    this.pending.clear();
    this.pendingNodes.clear();
  }

  private matchClause(): void {
    this.pos++; // MATCH
    const paths = this.patternList();
    // Planner hints (USING INDEX d:Document(workspaceId, id), USING SCAN …) bind nothing.
    while (this.isWord(this.peek(), 'USING')) {
      this.pos = this.expressionEnd(this.pos + 1, HINT_STOPS);
    }
    const scoped = new Set<string>();
    if (this.isWord(this.peek(), 'WHERE')) {
      for (const variable of this.whereBindings()) scoped.add(variable);
    }
    const isBound = (node: NodePattern) =>
      node.stamped ||
      (node.variable !== null && (this.bound.has(node.variable) || scoped.has(node.variable)));
    // Paths that share a variable or touch a bound node spread the binding along themselves.
    const boundPaths = new Set<NodePattern[]>();
    for (let changed = true; changed;) {
      changed = false;
      for (const path of paths) {
        if (boundPaths.has(path) || !path.some(isBound)) continue;
        boundPaths.add(path);
        for (const node of path) if (node.variable) scoped.add(node.variable);
        changed = true;
      }
    }
    for (const path of paths) {
      for (const node of path) {
        const bound = boundPaths.has(path) || isBound(node);
        if (bound && node.variable) {
          this.bound.add(node.variable);
          this.resolvePending(node.variable);
        }
        const reported: NodePatternScope = {
          clause: 'MATCH',
          text: node.text,
          variable: node.variable,
          bound,
        };
        if (!bound && node.variable) {
          this.pending.set(node.variable, `MATCH ${node.text}`);
          this.pendingNodes.set(node.variable, [
            ...(this.pendingNodes.get(node.variable) ?? []),
            reported,
          ]);
        }
        if (!bound && !node.variable) {
          this.problems.push(`MATCH ${node.text}: an anonymous node not bound to $workspaceId`);
        }
        this.nodes.push(reported);
      }
    }
  }

  private createClause(clause: 'MERGE' | 'CREATE'): void {
    this.pos++;
    for (const path of this.patternList()) {
      for (const node of path) {
        const bound = node.stamped || (node.variable !== null && this.bound.has(node.variable));
        if (bound && node.variable) this.bound.add(node.variable);
        if (!bound) {
          this.problems.push(`${clause} ${node.text}: a node not bound to $workspaceId`);
        }
        this.nodes.push({ clause, text: node.text, variable: node.variable, bound });
      }
    }
  }

  /** pattern (, pattern)*: each a path of node patterns joined by relationships. */
  private patternList(): NodePattern[][] {
    const paths: NodePattern[][] = [];
    for (;;) {
      // A named path: p = (…)…
      if (this.peek()?.kind === 'id' && this.isPunct(this.peek(1), '=')) this.pos += 2;
      const path = [this.nodePattern()];
      while (this.relationship()) path.push(this.nodePattern());
      paths.push(path);
      if (!this.isPunct(this.peek(), ',')) return paths;
      this.pos++;
    }
  }

  private nodePattern(): NodePattern {
    if (!this.isPunct(this.peek(), '(')) {
      throw new CypherSyntaxError(`expected a node pattern at "${this.peek()?.text ?? 'the end'}"`);
    }
    const start = this.pos;
    this.pos++;
    let variable: string | null = null;
    let stamped = false;
    if (this.peek()?.kind === 'id' && !this.isPunct(this.peek(), ':')) {
      variable = this.peek()!.text;
      this.pos++;
    }
    while (
      this.isPunct(this.peek(), ':') ||
      this.isPunct(this.peek(), '&') ||
      this.isPunct(this.peek(), '|')
    ) {
      this.pos += 2; // separator and label
    }
    if (this.isPunct(this.peek(), '{')) {
      const end = this.matching(this.pos);
      for (let i = this.pos + 1; i < end - 2; i++) {
        if (
          this.tokens[i].kind === 'id' &&
          this.tokens[i].text === 'workspaceId' &&
          this.isPunct(this.tokens[i + 1], ':') &&
          this.tokens[i + 2].kind === 'param' &&
          this.tokens[i + 2].text === 'workspaceId' &&
          this.depthWithin(this.pos, i) === 1
        ) {
          stamped = true;
        }
      }
      this.pos = end + 1;
    }
    if (!this.isPunct(this.peek(), ')')) {
      // An inline WHERE (…) or something this check does not read: skip to the closing paren.
      this.pos = this.matching(start);
    }
    this.pos++; // ')'
    const text = this.tokens
      .slice(start, this.pos)
      .map((t) => (t.kind === 'param' ? `$${t.text}` : t.text))
      .join('');
    return { variable, stamped, text };
  }

  /** Consumes -[…]-> / <-[…]- / -- / --> / <--; false when none follows. */
  private relationship(): boolean {
    const first = this.peek();
    if (!(this.isPunct(first, '-') || this.isPunct(first, '<-'))) return false;
    this.pos++;
    if (this.isPunct(this.peek(), '[')) this.pos = this.matching(this.pos) + 1;
    if (!(this.isPunct(this.peek(), '-') || this.isPunct(this.peek(), '->'))) {
      throw new CypherSyntaxError('a relationship pattern that does not close');
    }
    this.pos++;
    return true;
  }

  /** Index of the bracket closing the one at `open`. */
  private matching(open: number): number {
    let depth = 0;
    for (let i = open; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.kind !== 'punct') continue;
      if ('([{'.includes(token.text)) depth++;
      else if (')]}'.includes(token.text)) {
        depth--;
        if (depth === 0) return i;
      }
    }
    throw new CypherSyntaxError('unbalanced brackets');
  }

  /** Bracket depth of `index` counted from `open` (1 = directly inside it). */
  private depthWithin(open: number, index: number): number {
    let depth = 0;
    for (let i = open; i < index; i++) {
      const token = this.tokens[i];
      if (token.kind !== 'punct') continue;
      if ('([{'.includes(token.text)) depth++;
      else if (')]}'.includes(token.text)) depth--;
    }
    return depth;
  }

  /** End (exclusive) of the expression starting here: the next clause word at this depth. */
  private expressionEnd(from: number, stopAt: Set<string> = CLAUSES): number {
    let depth = 0;
    for (let i = from; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token.kind === 'punct' && '([{'.includes(token.text)) depth++;
      else if (token.kind === 'punct' && ')]}'.includes(token.text)) {
        if (depth === 0) return i;
        depth--;
      } else if (depth === 0 && token.kind === 'id' && stopAt.has(token.upper)) {
        // `ON` is a clause word only as ON CREATE / ON MATCH.
        if (token.upper === 'ON' && !/^(CREATE|MATCH)$/.test(this.tokens[i + 1]?.upper ?? '')) {
          continue;
        }
        return i;
      }
    }
    return this.tokens.length;
  }

  /** Consumes WHERE …; the variables it binds (n.workspaceId = $workspaceId as a conjunct). */
  private whereBindings(): string[] {
    this.pos++; // WHERE
    const end = this.expressionEnd(this.pos);
    const found: string[] = [];
    let disjunction = false;
    let depth = 0;
    for (let i = this.pos; i < end; i++) {
      const token = this.tokens[i];
      if (token.kind === 'punct' && '([{'.includes(token.text)) depth++;
      else if (token.kind === 'punct' && ')]}'.includes(token.text)) depth--;
      if (depth === 0 && token.kind === 'id' && (token.upper === 'OR' || token.upper === 'XOR')) {
        disjunction = true;
      }
      if (depth !== 0) continue;
      const variable = this.workspaceEquality(i);
      if (variable) found.push(variable);
    }
    this.pos = end;
    return disjunction ? [] : found;
  }

  /** `v.workspaceId = $workspaceId` or `$workspaceId = v.workspaceId` starting at i: v. */
  private workspaceEquality(i: number): string | null {
    const t = this.tokens;
    const property = (at: number) =>
      t[at]?.kind === 'id' &&
      this.isPunct(t[at + 1], '.') &&
      t[at + 2]?.kind === 'id' &&
      t[at + 2].text === 'workspaceId'
        ? t[at].text
        : null;
    const param = (at: number) => t[at]?.kind === 'param' && t[at].text === 'workspaceId';
    const left = property(i);
    if (left && this.isPunct(t[i + 3], '=') && param(i + 4) && !this.isPunct(t[i - 1], '.')) {
      return left;
    }
    if (param(i) && this.isPunct(t[i + 1], '=')) {
      const right = property(i + 2);
      if (right && !this.isPunct(t[i + 5], '.')) return right;
    }
    return null;
  }

  /** WITH/RETURN items: `expr AS alias` binds alias when expr derives only from bound values. */
  private projection(isWith: boolean): void {
    this.pos++;
    if (this.isWord(this.peek(), 'DISTINCT')) this.pos++;
    const end = this.expressionEnd(this.pos);
    let itemStart = this.pos;
    let depth = 0;
    for (let i = this.pos; i <= end; i++) {
      const token = this.tokens[i];
      if (token && token.kind === 'punct' && '([{'.includes(token.text)) depth++;
      else if (token && token.kind === 'punct' && ')]}'.includes(token.text)) depth--;
      if (i === end || (depth === 0 && this.isPunct(token, ','))) {
        this.bindAlias(itemStart, i);
        itemStart = i + 1;
      }
    }
    this.pos = end;
    if (isWith && this.isWord(this.peek(), 'WHERE')) {
      for (const variable of this.whereBindings()) {
        this.bound.add(variable);
        this.resolvePending(variable);
      }
    }
  }

  private bindAlias(start: number, end: number): void {
    const asAt = this.tokens.slice(start, end).findIndex((token) => this.isWord(token, 'AS'));
    if (asAt < 0) return;
    const alias = this.tokens[start + asAt + 1];
    if (!alias || alias.kind !== 'id') return;
    if (this.derivesFromBound(start, start + asAt)) this.bound.add(alias.text);
    else this.bound.delete(alias.text);
  }

  /**
   * True when the expression's variables are all bound (and there is one): subscripts, property
   * keys, function names, parameters and literals do not count; list comprehension and FOREACH
   * locals are not variables of the statement.
   */
  private derivesFromBound(start: number, end: number): boolean {
    const locals = new Set<string>();
    for (let i = start; i < end - 1; i++) {
      const token = this.tokens[i];
      if (token.kind === 'id' && this.isWord(this.tokens[i + 1], 'IN')) {
        const previous = this.tokens[i - 1];
        if (this.isPunct(previous, '[') || this.isPunct(previous, '(')) locals.add(token.text);
      }
    }
    let variables = 0;
    for (let i = start; i < end; i++) {
      const token = this.tokens[i];
      const previous = this.tokens[i - 1];
      if (this.isPunct(token, '[') && i > start) {
        const isSubscript =
          (previous.kind === 'id' && !EXPRESSION_WORDS.has(previous.upper)) ||
          this.isPunct(previous, ')') ||
          this.isPunct(previous, ']');
        if (isSubscript) {
          i = this.matching(i);
          continue;
        }
      }
      if (token.kind !== 'id' || EXPRESSION_WORDS.has(token.upper)) continue;
      if (this.isPunct(previous, '.') || this.isPunct(previous, ':')) continue; // property, label
      if (this.isPunct(this.tokens[i + 1], '(')) continue; // function name
      if (this.isPunct(this.tokens[i + 1], ':') && this.isPunct(previous, '{')) continue; // map key
      if (locals.has(token.text)) continue;
      if (!this.bound.has(token.text)) return false;
      variables++;
    }
    return variables > 0;
  }

  private unwind(): void {
    this.pos++;
    const end = this.expressionEnd(this.pos);
    const asAt = this.tokens.slice(this.pos, end).findIndex((token) => this.isWord(token, 'AS'));
    if (asAt >= 0) this.bindAlias(this.pos, end);
    this.pos = end;
  }

  /** FOREACH (x IN expr | updates): x is bound when expr is; the updates are read as clauses. */
  private foreach(): void {
    this.pos++;
    if (!this.isPunct(this.peek(), '(')) return;
    const variable = this.peek(1);
    const barAt = this.tokens.findIndex((token, i) => i > this.pos && this.isPunct(token, '|'));
    if (variable?.kind === 'id' && this.isWord(this.peek(2), 'IN') && barAt > 0) {
      if (this.derivesFromBound(this.pos + 3, barAt)) this.bound.add(variable.text);
      this.pos = barAt + 1;
    } else {
      this.pos++;
    }
  }
}
