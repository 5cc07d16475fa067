import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateTypes,
  OPENAPI_PATH,
  SCHEMA_PATH,
  serializeOpenApi,
} from '../../infra/openapi-types';
import { apiUrl } from '../support/api';

// The typed client (client/) is generated from the API's OpenAPI document; a route or DTO changed
// without `npm run client:generate` leaves the console and the CLI typed against the old API.
const HOW_TO_FIX =
  'the typed client is out of date: run `npm run client:generate` and commit client/';

describe('typed client', () => {
  it('was generated from the OpenAPI document the running API serves', async () => {
    const response = await fetch(`${apiUrl}/docs-json`);
    expect(response.status).toBe(200);
    const served = serializeOpenApi(await response.json());
    const committed = readFileSync(OPENAPI_PATH, 'utf8');
    if (served !== committed) {
      const servedPaths = Object.keys((JSON.parse(served) as { paths: object }).paths);
      const committedPaths = Object.keys((JSON.parse(committed) as { paths: object }).paths);
      const added = servedPaths.filter((path) => !committedPaths.includes(path));
      const removed = committedPaths.filter((path) => !servedPaths.includes(path));
      throw new Error(
        `${HOW_TO_FIX} (client/openapi.json differs from GET /docs-json; ` +
          `paths only in the API: ${added.join(', ') || 'none'}; only in client/: ${removed.join(', ') || 'none'})`,
      );
    }
  });

  it('has the types openapi-typescript makes of that document', () => {
    const directory = mkdtempSync(join(tmpdir(), 'cairn-client-types-'));
    try {
      const input = join(directory, 'openapi.json');
      const output = join(directory, 'schema.d.ts');
      writeFileSync(input, readFileSync(OPENAPI_PATH));
      generateTypes(input, output);
      const expected = readFileSync(output, 'utf8');
      if (readFileSync(SCHEMA_PATH, 'utf8') !== expected) {
        throw new Error(`${HOW_TO_FIX} (client/schema.d.ts is not openapi-typescript's output)`);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
