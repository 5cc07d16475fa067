import { searchRequestSchema } from './search.schema';

const problems = (body: unknown) => {
  const result = searchRequestSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe('searchRequestSchema', () => {
  it('fills the defaults', () => {
    expect(searchRequestSchema.parse({ query: 'x' })).toEqual({
      query: 'x',
      limit: 10,
      mode: 'auto',
      hops: 1,
      includeInactive: false,
    });
  });

  it('refuses a non-boolean includeInactive', () => {
    const result = searchRequestSchema.safeParse({ query: 'x', includeInactive: 'yes' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('includeInactive must be true or false');
  });

  it.each([
    [{}, 'query is required'],
    [{ query: '   ' }, 'query must not be empty or whitespace'],
    [{ query: 'x'.repeat(2001) }, 'query must be at most 2000 characters'],
    [{ query: 'x', limit: 0 }, 'limit must be between 1 and 100'],
    [{ query: 'x', limit: 101 }, 'limit must be between 1 and 100'],
    [{ query: 'x', limit: '10' }, 'limit must be a number'],
    [{ query: 'x', limit: 2.5 }, 'limit must be a whole number'],
    [{ query: 'x', hops: 4 }, 'hops must be between 0 and 3'],
    [{ query: 'x', hops: 'two' }, 'hops must be a number'],
    [{ query: 'x', mode: 'semantic' }, 'mode must be one of vector, keyword, hybrid, graph, auto'],
    [{ query: 'x', filters: { documentIds: ["' OR 1=1"] } }, 'must be a document id (UUID)'],
    [{ query: 'x', filters: { types: ['alien'] } }, expect.stringContaining('must be one of')],
  ])('refuses %j', (body, message) => {
    expect(problems(body)).toContainEqual(message);
  });

  it('refuses unknown keys, at the top and in filters', () => {
    expect(problems({ query: 'x', mdoe: 'graph' })).toHaveLength(1);
    expect(problems({ query: 'x', filters: { workspaceId: 'other' } })).toHaveLength(1);
  });
});
