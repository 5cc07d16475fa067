/**
 * Writes the typed API client's generated half: client/openapi.json (the API's OpenAPI document,
 * built from the controllers without listening or connecting to any store) and client/schema.d.ts
 * (openapi-typescript's types for it). Run after changing a route or DTO:
 *
 *   npm run client:generate
 *
 * It runs compiled (dist/infra/generate-client.js): Swagger reads the DTOs' property types from
 * the decorator metadata that tsc emits and tsx does not.
 * test/e2e/openapi-client.e2e-spec.ts fails while the committed files differ from the running API.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module';
import { createOpenApiDocument } from '../src/common/http/configure-app';
import { generateTypes, OPENAPI_PATH, SCHEMA_PATH, serializeOpenApi } from './openapi-types';

async function main(): Promise<void> {
  // Preview mode resolves the module graph without instantiating providers: no store connects.
  const app = await NestFactory.create(AppModule, {
    preview: true,
    abortOnError: false,
    logger: ['error'],
  });
  const document = createOpenApiDocument(app);
  await app.close();
  writeFileSync(OPENAPI_PATH, serializeOpenApi(document));
  generateTypes(OPENAPI_PATH, SCHEMA_PATH);
  const paths = Object.keys(document.paths).length;
  console.log(`client/openapi.json (${paths} paths) and client/schema.d.ts written`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
