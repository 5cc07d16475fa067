/**
 * The web console's cost, measured in Debian's Chromium against a running stack (npm start):
 *
 *   npm run bench:console -- [--api http://127.0.0.1:3000] [--queries 20] [--loads 5]
 *
 * - the initial bundle: the script and style files index.html loads first, gzipped;
 * - time to first render of the documents page: from navigation start to the first document row
 *   drawn, median of --loads page loads (performance.now() in the page, polled every frame);
 * - search to rendered hits for --queries different questions, p50/p95, next to the API's own
 *   time for the same requests (the tookMs it reports, and the request's network time).
 * The documents searched are uploaded first into a workspace of the bench user (idempotent).
 * The last line is machine-readable.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import '../../test/support/load-stack-env';
import { ensureWorkspace, tokenFor, userWithEmail } from '../../test/support/auth';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/browser/support/browser';

const ROOT = resolve(__dirname, '../..');
const WORKSPACE = 'bench-console';
const USER = userWithEmail('bench-console@cairn.local');

const TOPICS = [
  ['Ada Lovelace', 'London', 'the Analytical Engine', 'Charles Babbage'],
  ['Marie Curie', 'Warsaw', 'radium', 'Pierre Curie'],
  ['Alan Turing', 'Manchester', 'the Turing machine', 'Bletchley Park'],
  ['Grace Hopper', 'New York', 'COBOL', 'the Harvard Mark I'],
  ['Nikola Tesla', 'Smiljan', 'alternating current', 'Westinghouse'],
  ['Rosalind Franklin', 'London', 'DNA', "King's College"],
  ['Johannes Kepler', 'Weil der Stadt', 'planetary motion', 'Tycho Brahe'],
  ['Emmy Noether', 'Erlangen', 'abstract algebra', 'Göttingen'],
  ['Srinivasa Ramanujan', 'Erode', 'number theory', 'G. H. Hardy'],
  ['Hedy Lamarr', 'Vienna', 'frequency hopping', 'George Antheil'],
] as const;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

const percentile = (values: number[], fraction: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
};
const round = (value: number) => Math.round(value * 10) / 10;

/** The files index.html loads before anything runs: its module script, preloads and styles. */
function initialBundle(): { jsGzBytes: number; cssGzBytes: number; files: string[] } {
  const dir = join(ROOT, 'dist/web');
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map(
    (m) => m[1],
  );
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+)"/g)].map(
    (m) => m[1],
  );
  const gz = (file: string) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
  const sum = (files: string[]) => files.reduce((total, file) => total + gz(file), 0);
  return {
    jsGzBytes: sum([...scripts, ...preloads]),
    cssGzBytes: sum(styles),
    files: [...scripts, ...preloads, ...styles],
  };
}

async function prepareDocuments(api: string, token: string): Promise<void> {
  await ensureWorkspace(token, WORKSPACE, 'Console benchmark');
  const headers = {
    authorization: `Bearer ${token}`,
    'x-workspace-id': WORKSPACE,
    'content-type': 'application/json',
  };
  const ids: string[] = [];
  for (const [person, place, work, partner] of TOPICS) {
    const text =
      `${person} was born in ${place}. ${person} is known for ${work}. ` +
      `${person} worked with ${partner} for many years. ${partner} admired ${work}. ` +
      `Later ${person} lectured about ${work} in ${place} and wrote letters to ${partner}.`;
    const response = await fetch(`${api}/documents`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: `${person}`, text }),
    });
    if (response.status !== 202)
      throw new Error(`upload: ${response.status} ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  const deadline = Date.now() + 300_000;
  for (const id of ids) {
    for (;;) {
      const document = (await (await fetch(`${api}/documents/${id}`, { headers })).json()) as {
        status: string;
      };
      if (document.status === 'indexed') break;
      if (document.status === 'failed') throw new Error(`document ${id} failed`);
      if (Date.now() > deadline) throw new Error(`document ${id} not indexed after 5 minutes`);
      await new Promise((done) => setTimeout(done, 500));
    }
  }
}

function queries(count: number): string[] {
  const asked: string[] = [];
  for (let round = 0; asked.length < count; round++) {
    for (const [person, place, work, partner] of TOPICS) {
      const forms = [
        `Who worked with ${person}?`,
        `Where was the person known for ${work} born?`,
        `${partner} and ${place}`,
      ];
      asked.push(forms[round % forms.length]);
      if (asked.length === count) break;
    }
  }
  return asked;
}

/** Milliseconds from navigation start to the first document row drawn, for one page load. */
async function documentsFirstRender(page: Page): Promise<number> {
  const at = await page.waitForFunction(
    () => {
      const row = (
        globalThis as unknown as { document: { querySelector(s: string): unknown } }
      ).document.querySelector('main table tbody tr');
      return row ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await at.jsonValue()) as number;
}

async function main(): Promise<void> {
  const api = flag(
    'api',
    process.env.CAIRN_API_URL ??
      `http://${process.env.CAIRN_API_HOST ?? '127.0.0.1'}:${process.env.CAIRN_API_PORT ?? 3000}`,
  ).replace(/\/+$/, '');
  // The sign-in helpers (test/support/auth) talk to the API named here, not the tests' default.
  process.env.CAIRN_API_URL = api;
  const queryCount = Number(flag('queries', '20'));
  const loads = Number(flag('loads', '5'));

  const bundle = initialBundle();
  console.log(
    `initial bundle: ${bundle.files.join(', ')}: JS ${round(bundle.jsGzBytes / 1024)} KB gzipped, CSS ${round(bundle.cssGzBytes / 1024)} KB gzipped`,
  );

  const token = await tokenFor(USER, { expiresIn: 3600 });
  console.log(`preparing ${TOPICS.length} documents in workspace ${WORKSPACE} at ${api}`);
  await prepareDocuments(api, token);

  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The console keeps its session in the tab: sign in once, then choose the bench workspace.
    const fragment = new URLSearchParams({
      access_token: token,
      token_type: 'bearer',
      expires_in: '3600',
    });
    await page.goto(`${api}/#${fragment.toString()}`);
    await page.getByLabel('Workspace', { exact: true }).waitFor();
    const switcher = page.getByLabel('Workspace', { exact: true });
    await switcher.selectOption(WORKSPACE);

    // First render: fresh loads of /app/documents (the browser cache warm, as for a returning user).
    const renders: number[] = [];
    for (let load = 0; load < loads; load++) {
      await page.goto(`${api}/app/documents`);
      renders.push(await documentsFirstRender(page));
    }
    console.log(
      `documents page first render: ${renders.map((value) => round(value)).join(', ')} ms`,
    );

    // Search: type, submit, wait for the new hits to be drawn.
    await page.goto(`${api}/app/search`);
    await page.getByLabel('Question or keywords').waitFor();
    const rendered: number[] = [];
    const apiTook: number[] = [];
    const network: number[] = [];
    for (const query of queries(queryCount)) {
      await page.getByLabel('Question or keywords').fill(query);
      const answered = page.waitForResponse(
        (response) => response.url().endsWith('/search') && response.request().method() === 'POST',
      );
      const started = await page.evaluate(() => {
        const dom = (globalThis as unknown as { document: DocumentLike }).document;
        dom.querySelector('.results')?.setAttribute('data-bench-old', '');
        const t0 = performance.now();
        dom.querySelector('form[role="search"] button[type="submit"]')?.click();
        return t0;
      });
      const drawn = await page.waitForFunction(
        () => {
          const dom = (globalThis as unknown as { document: DocumentLike }).document;
          const results = dom.querySelector('.results');
          return results &&
            !results.hasAttribute('data-bench-old') &&
            results.querySelector('li.hit')
            ? performance.now()
            : false;
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      rendered.push(((await drawn.jsonValue()) as number) - started);
      const response = await answered;
      const body = (await response.json()) as { tookMs: number; cached: boolean };
      apiTook.push(body.tookMs);
      const timing = response.request().timing();
      network.push(timing.responseEnd - timing.requestStart);
    }
    await context.close();

    const line = {
      initial_js_gz_kb: round(bundle.jsGzBytes / 1024),
      first_render_ms: round(percentile(renders, 0.5)),
      search_render_p50_ms: round(percentile(rendered, 0.5)),
      search_render_p95_ms: round(percentile(rendered, 0.95)),
      api_search_p50_ms: round(percentile(apiTook, 0.5)),
      api_search_p95_ms: round(percentile(apiTook, 0.95)),
    };
    console.log(
      `search (${queryCount} queries): rendered p50 ${line.search_render_p50_ms} / p95 ${line.search_render_p95_ms} ms; ` +
        `API tookMs p50 ${line.api_search_p50_ms} / p95 ${line.api_search_p95_ms} ms; ` +
        `request on the wire p50 ${round(percentile(network, 0.5))} / p95 ${round(percentile(network, 0.95))} ms`,
    );
    console.log(
      `console: ${Object.entries(line)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')}`,
    );
  } finally {
    await browser.close();
  }
}

interface ElementLike {
  setAttribute(name: string, value: string): void;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): ElementLike | null;
  click(): void;
}
interface DocumentLike {
  querySelector(selector: string): ElementLike | null;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
