import { assertScoped, UnscopedGraphQueryError } from './neo4j-graph.store';

const scoped = 'MATCH (d:Document {workspaceId: $workspaceId, id: $id}) RETURN d';

describe('assertScoped', () => {
  it('accepts a statement using $workspaceId with a valid workspace id', () => {
    expect(() => assertScoped(scoped, { workspaceId: 'default', id: 'x' })).not.toThrow();
  });

  it.each([undefined, null, ''])('refuses a missing workspace id (%j)', (workspaceId) => {
    expect(() => assertScoped(scoped, { workspaceId: workspaceId as unknown as string })).toThrow(
      UnscopedGraphQueryError,
    );
  });

  it('refuses missing params and malformed workspace ids', () => {
    expect(() => assertScoped(scoped, undefined)).toThrow(UnscopedGraphQueryError);
    expect(() => assertScoped(scoped, { workspaceId: 'Bad Id' })).toThrow(UnscopedGraphQueryError);
    expect(() => assertScoped(scoped, { workspaceId: 42 as unknown as string })).toThrow(
      UnscopedGraphQueryError,
    );
  });

  it('refuses a statement that does not use $workspaceId', () => {
    expect(() => assertScoped('MATCH (d:Document) RETURN d', { workspaceId: 'default' })).toThrow(
      /\$workspaceId/,
    );
    expect(() =>
      assertScoped('MATCH (d {w: $workspaceIdentity}) RETURN d', { workspaceId: 'default' }),
    ).toThrow(UnscopedGraphQueryError);
  });
});
