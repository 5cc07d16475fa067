import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Global, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CairnConfig } from '../config/config';
import { CONFIG } from '../config/config.module';
import { CairnError } from '../common/errors/cairn-error';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { ConsoleModule } from './console.module';

// The console's files and pages beside an API route, on a real HTTP server over a made-up build.
@Controller('documents')
class DocumentsStubController {
  @Get()
  list(): never {
    throw new CairnError('unauthenticated', 'missing credentials');
  }
  @Post()
  create(): { ok: true } {
    return { ok: true };
  }
}

describe('console serving', () => {
  let app: INestApplication;
  let base: string;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cairn-console-'));
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(directory, 'assets/index-abc123.js'), 'console.log(1);');
    writeFileSync(join(directory, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(directory, '.secret'), 'no');
    const config = {
      CAIRN_CONSOLE_DIR: directory,
      CAIRN_SUPABASE_URL: 'https://auth.example.org/auth/v1',
      CAIRN_SUPABASE_ANON_KEY: 'anon',
      CAIRN_PROMETHEUS_URL: '',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      TEMPORAL_NAMESPACE: 'default',
    } as unknown as CairnConfig;

    @Global()
    @Module({ providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] })
    class TestConfigModule {}

    @Module({ imports: [TestConfigModule, ConsoleModule], controllers: [DocumentsStubController] })
    class TestModule {}

    app = await NestFactory.create(TestModule, { logger: false });
    app.useGlobalFilters(new AllExceptionsFilter());
    await app.listen(0, '127.0.0.1');
    const server = app.getHttpServer() as Server;
    const address = server.address() as AddressInfo;
    base = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(['/', '/app', '/app/documents/123', '/app/search?q=x'])(
    'answers %s with the index, not cached, with the CSP',
    async (path) => {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("connect-src 'self' https://auth.example.org;");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<div id="root">');
    },
  );

  it('serves hashed assets for a year and a missing one as a JSON 404', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${base}/assets/index-gone.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await fetch(`${base}/assets/../.secret`).then((r) => r.status)).toBe(404);
    expect(await fetch(`${base}/.secret`).then((r) => r.status)).toBe(404);
  });

  it('serves the top-level public files', async () => {
    const icon = await fetch(`${base}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  });

  it('leaves API routes alone', async () => {
    const list = await fetch(`${base}/documents`);
    expect(list.status).toBe(401);
    expect(await list.json()).toMatchObject({ statusCode: 401, message: 'missing credentials' });
    expect(list.headers.get('content-security-policy')).toBeNull();
    const create = await fetch(`${base}/documents`, { method: 'POST' });
    expect(create.status).toBe(201);
    expect(await fetch(`${base}/application`).then((r) => r.status)).toBe(404);
    // POST to a console page is not the page.
    expect(await fetch(`${base}/app/x`, { method: 'POST' }).then((r) => r.status)).toBe(404);
  });

  it('answers /console/config with the public settings', async () => {
    const response = await fetch(`${base}/console/config`);
    expect(await response.json()).toEqual({
      supabaseUrl: 'https://auth.example.org/auth/v1',
      supabaseAnonKey: 'anon',
      temporalUiUrl: 'http://127.0.0.1:8233',
      temporalNamespace: 'default',
    });
  });
});
