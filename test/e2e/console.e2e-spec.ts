import { callApi, apiUrl } from '../support/api';
import { testWorkspace } from '../support/auth';

// The web console served by the real API (npm test builds it into dist/web first): its pages and
// files beside the API routes, which stay as they were.
describe('web console serving', () => {
  const expectConsoleHeaders = (headers: Headers) => {
    const csp = headers.get('content-security-policy') ?? '';
    const scriptSrc = /(?:^|;\s*)script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc.split(' ')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
  };

  it('serves the console at / with a strict CSP, its module script from /assets', async () => {
    const response = await fetch(`${apiUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectConsoleHeaders(response.headers);
    const html = await response.text();
    expect(html).toContain('<div id="root"></div>');
    // No inline script at all: every <script> has a src under /assets.
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/src="\/assets\/[\w.-]+\.js"/);

    const entry = /src="(\/assets\/[\w.-]+\.js)"/.exec(html)![1];
    const script = await fetch(`${apiUrl}${entry}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await script.text()).length).toBeGreaterThan(1000);
  });

  it.each(['/app', '/app/documents/8f0e0000-0000-4000-8000-000000000000', '/app/search?q=a'])(
    'answers the SPA route %s with the same index',
    async (path) => {
      const [index, page] = await Promise.all([
        fetch(`${apiUrl}/`).then((r) => r.text()),
        fetch(`${apiUrl}${path}`),
      ]);
      expect(page.status).toBe(200);
      expectConsoleHeaders(page.headers);
      expect(await page.text()).toBe(index);
    },
  );

  it('answers a missing asset with a JSON 404, never the index', async () => {
    const response = await callApi('GET', '/assets/index-missing.js', { auth: false });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, requestId: expect.any(String) });
  });

  it('leaves the API routes unchanged', async () => {
    const documents = await callApi('GET', '/documents', { auth: false });
    expect(documents.status).toBe(401);
    expect(documents.headers.get('content-type')).toMatch(/^application\/json/);
    expect(documents.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(documents.headers.get('content-security-policy')).toBeNull();
    const listed = await callApi<{ items: unknown[] }>('GET', '/documents?limit=1');
    expect(listed.status).toBe(200);
    expect(Array.isArray(listed.body.items)).toBe(true);
    const health = await callApi('GET', '/health', { auth: false });
    expect(health.body).toEqual({ status: 'ok' });
    // Unknown paths outside /app are the API's 404, not the console.
    const unknown = await callApi('GET', '/application', { auth: false });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('tells the console its settings without credentials', async () => {
    const response = await callApi<Record<string, unknown>>('GET', '/console/config', {
      auth: false,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      temporalUiUrl: process.env.TEMPORAL_UI_URL,
      temporalNamespace: process.env.TEMPORAL_NAMESPACE,
      prometheusUrl: process.env.CAIRN_PROMETHEUS_URL,
    });
  });

  it('tells a token or an API key which workspace and role it acts with', async () => {
    const byToken = await callApi('GET', '/workspaces/current');
    expect(byToken.status).toBe(200);
    expect(byToken.body).toMatchObject({
      workspaceId: testWorkspace(),
      role: 'owner',
      via: 'token',
      userId: expect.any(String),
    });

    const created = await callApi<{ id: string; key: string }>(
      'POST',
      `/workspaces/${testWorkspace()}/api-keys`,
      { json: { name: 'console current-workspace test', role: 'editor' } },
    );
    expect(created.status).toBe(201);
    try {
      const byKey = await callApi('GET', '/workspaces/current', {
        headers: { 'x-api-key': created.body.key },
      });
      expect(byKey.status).toBe(200);
      expect(byKey.body).toEqual({
        workspaceId: testWorkspace(),
        name: expect.any(String),
        role: 'editor',
        via: 'apiKey',
        userId: null,
        apiKeyId: created.body.id,
      });
    } finally {
      await callApi('DELETE', `/workspaces/${testWorkspace()}/api-keys/${created.body.id}`);
    }
    expect((await callApi('GET', '/workspaces/current', { auth: false })).status).toBe(401);
  });
});
