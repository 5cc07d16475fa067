import { checkCypherScope, CypherSyntaxError } from './cypher-scope';
import { assertScoped, UnscopedGraphQueryError } from './neo4j-graph.store';

const problemsOf = (cypher: string) => checkCypherScope(cypher).problems;

describe('checkCypherScope', () => {
  it.each([
    ['a map property', 'MATCH (d:Document {workspaceId: $workspaceId, id: $id}) RETURN d'],
    [
      'a WHERE conjunct',
      'MATCH (c:Chunk) WHERE c.documentId = $id AND c.workspaceId = $workspaceId RETURN c',
    ],
    [
      'a WHERE with the parameter first',
      'MATCH (c:Chunk) WHERE $workspaceId = c.workspaceId RETURN c',
    ],
    [
      'a path from a bound node',
      'MATCH (d:Document {workspaceId: $workspaceId})-[:HAS_CHUNK]->(c:Chunk)-[:MENTIONS]->(:Entity) RETURN c',
    ],
    [
      'a later MATCH from a bound variable',
      'MATCH (d:Document) WHERE d.workspaceId = $workspaceId OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c) RETURN c',
    ],
    [
      'a created node stamped with the workspace, joined to a bound one',
      `UNWIND $rows AS row MATCH (d:Document {workspaceId: $workspaceId, id: row.document})
       CREATE (d)-[:HAS_CHUNK]->(c:Chunk {workspaceId: $workspaceId, id: row.id})`,
    ],
    [
      'planner hints between the pattern and its WHERE',
      `MATCH (source:Entity)-[r:RELATED_TO]->()
       USING INDEX r:RELATED_TO(documentId) USING SCAN source:Entity
       WHERE r.documentId IN $documentIds AND source.workspaceId = $workspaceId
       DELETE r`,
    ],
    [
      'MERGE with ON CREATE SET',
      `MERGE (e:Entity {workspaceId: $workspaceId, key: $key}) ON CREATE SET e.name = $name
       ON MATCH SET e.seen = true RETURN e`,
    ],
    [
      'an element-id lookup filtered by a WITH … WHERE before any write',
      `UNWIND $rows AS row
       CALL (row) { MATCH (d) WHERE elementId(d) = row.document RETURN d }
       WITH * WHERE d:Document AND d.workspaceId = $workspaceId
       CREATE (d)-[:HAS_CHUNK]->(c:Chunk {workspaceId: $workspaceId, id: row.id})`,
    ],
    [
      'nodes reached through a collected list and a subscript',
      `MATCH (e:Entity {workspaceId: $workspaceId}) WITH collect(e) AS entities
       UNWIND $pairs AS pair
       WITH entities[pair[0]] AS a, entities[pair[1]] AS b
       CREATE (a)-[:RELATED_TO]->(b)`,
    ],
    [
      'FOREACH over bound nodes',
      `MERGE (dom:Domain {workspaceId: $workspaceId, id: $id}) WITH dom
       OPTIONAL MATCH (d:Document {workspaceId: $workspaceId}) WHERE d.id IN $ids
       FOREACH (doc IN CASE WHEN d IS NULL THEN [] ELSE [d] END | MERGE (dom)-[:INCLUDES]->(doc))`,
    ],
    [
      'comments, strings and backticks that look like patterns',
      `// MATCH (x) is only a comment
       MATCH (\`d\`:Document {workspaceId: $workspaceId}) WHERE d.title <> 'MATCH (y)' RETURN d`,
    ],
  ])('accepts %s', (_name, cypher) => {
    const report = checkCypherScope(cypher);
    expect(report.problems).toEqual([]);
    expect(report.nodes.length).toBeGreaterThan(0);
    expect(report.nodes.every((node) => node.bound)).toBe(true);
  });

  it.each([
    ['a MATCH of every document', 'MATCH (d:Document) RETURN d', /returned before \(d\)/],
    [
      'a MATCH never bound',
      'MATCH (d:Document) WITH count(d) AS n WITH $workspaceId AS w',
      /\(d\) is never bound/,
    ],
    [
      'a workspace check hidden behind OR',
      'MATCH (d:Document) WHERE d.workspaceId = $workspaceId OR true RETURN d',
      /\(d\)/,
    ],
    [
      'the parameter used for something else',
      'MATCH (d:Document) WHERE d.title = $workspaceId RETURN d',
      /\(d\)/,
    ],
    [
      'a second, disconnected pattern',
      'MATCH (d:Document {workspaceId: $workspaceId}), (e:Entity) RETURN d, e',
      /\(e\)/,
    ],
    [
      'an anonymous unbound node',
      'MATCH (:Entity {key: $key})-[r]->(b) WHERE b.workspaceId = $workspaceId OR b.x = 1 DELETE r',
      /anonymous/,
    ],
    [
      'a node created without the workspace',
      'MATCH (d:Document {workspaceId: $workspaceId}) CREATE (d)-[:HAS_CHUNK]->(c:Chunk {id: $id})',
      /CREATE \(c:Chunk\{id:\$id\}\)/,
    ],
    ['a MERGE without the workspace', 'MERGE (e:Entity {key: $key, note: $workspaceId})', /MERGE/],
    [
      'an element-id lookup written to before its workspace is checked',
      `MATCH (d) WHERE elementId(d) = $id SET d.title = $workspaceId`,
      /SET before \(d\)/,
    ],
    [
      'an element-id lookup returned unchecked',
      'MATCH (d) WHERE elementId(d) = $id RETURN d, $workspaceId AS w',
      /returned before \(d\)/,
    ],
    [
      'a node reached through a list of unbound values',
      `UNWIND $ids AS id MATCH (x) WHERE elementId(x) = id WITH collect(x) AS xs, $workspaceId AS w
       WITH xs[0] AS a CREATE (a)-[:R]->(:Entity {workspaceId: $workspaceId})`,
      /\(x\)/,
    ],
  ])('refuses %s', (_name, cypher, problem) => {
    const problems = problemsOf(cypher);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('refuses what it cannot read', () => {
    expect(() =>
      checkCypherScope("MATCH (d {workspaceId: $workspaceId}) WHERE d.x = 'open"),
    ).toThrow(CypherSyntaxError);
    expect(() =>
      assertScoped('MATCH (d:Document {workspaceId: $workspaceId} RETURN d', {
        workspaceId: 'default',
      }),
    ).toThrow(UnscopedGraphQueryError);
  });

  it('is the store guard: an unscoped statement is refused even though it names $workspaceId', () => {
    expect(() =>
      assertScoped('MATCH (n) WHERE n.note = $workspaceId DETACH DELETE n', {
        workspaceId: 'default',
      }),
    ).toThrow(/not bound to \$workspaceId/);
    expect(() =>
      assertScoped('MATCH (n) WHERE n.workspaceId = $workspaceId DETACH DELETE n', {
        workspaceId: 'default',
      }),
    ).not.toThrow();
  });
});
