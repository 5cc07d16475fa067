import { Pool } from 'pg';
import { toErrorBody } from './all-exceptions.filter';
import { isDependencyUnavailable } from './dependency-errors';

describe('isDependencyUnavailable', () => {
  it("recognises pg-pool's own error when no connection comes in time", async () => {
    // A server that accepts nothing in time: a non-routable address and a short timeout.
    const pool = new Pool({
      connectionString: 'postgres://nobody@10.255.255.1:5432/none',
      connectionTimeoutMillis: 50,
    });
    const error = await pool.query('SELECT 1').catch((caught: unknown) => caught);
    await pool.end();
    expect(isDependencyUnavailable(error)).toBe(true);
    expect(toErrorBody(error, 'r')).toMatchObject({ statusCode: 503 });
  });

  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    [
      'Postgres shutting down',
      Object.assign(new Error('terminating connection'), { code: '57P01' }),
    ],
    [
      'Neo4j unreachable',
      Object.assign(new Error('Could not perform discovery'), { code: 'ServiceUnavailable' }),
    ],
    [
      'Temporal unreachable',
      Object.assign(new Error('14 UNAVAILABLE: No connection'), {
        code: 14,
        details: 'No connection',
      }),
    ],
    ['Redis down', new Error('Connection is closed.')],
    [
      'a cause further down',
      new Error('search failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    ],
  ])('answers 503 for %s', (_label, error) => {
    expect(isDependencyUnavailable(error)).toBe(true);
    expect(toErrorBody(error, 'r')).toMatchObject({
      statusCode: 503,
      message: 'A service Cairn depends on is unavailable or busy; try again shortly.',
    });
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a SQL syntax error',
      Object.assign(new Error('syntax error at or near "FROM"'), { code: '42601' }),
    ],
    ['a string', 'boom'],
  ])('leaves %s a 500', (_label, error) => {
    expect(isDependencyUnavailable(error)).toBe(false);
    expect(toErrorBody(error, 'r').statusCode).toBe(500);
  });
});
