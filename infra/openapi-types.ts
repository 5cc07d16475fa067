// The typed client's generated files and how they are made, shared by `npm run client:generate`
// (infra/generate-client.ts) and the test that fails when they drift from the API.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// The checkout's root, from infra/ (tsx, jest) or dist/infra/ (compiled).
function checkoutRoot(from: string): string {
  return existsSync(resolve(from, 'package.json')) ? from : checkoutRoot(dirname(from));
}
const root = checkoutRoot(__dirname);

export const OPENAPI_PATH = resolve(root, 'client/openapi.json');
export const SCHEMA_PATH = resolve(root, 'client/schema.d.ts');

/** The OpenAPI document as client/openapi.json holds it (two-space JSON, final newline). */
export const serializeOpenApi = (document: unknown): string =>
  `${JSON.stringify(document, null, 2)}\n`;

/** Runs openapi-typescript over an OpenAPI JSON file, writing the types to `outputPath`. */
export function generateTypes(openApiPath: string, outputPath: string): void {
  execFileSync(
    resolve(root, 'node_modules/.bin/openapi-typescript'),
    [openApiPath, '--output', outputPath],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
