// The console's browser tests: Debian's Chromium driven by playwright-core (never a downloaded
// browser), a sign-in link for the test API, screenshots under .data/screenshots, a page that
// fails its test on any console or page error, and an axe-core accessibility check.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { tokenFor, userWithEmail } from '../../support/auth';

export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const apiUrl = (): string =>
  (process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');

export const SCREENSHOT_DIR = resolve(__dirname, '../../../.data/screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Chromium with the flags the console's tests use. Playwright starts it with a fresh
 * user-data directory of its own (a temporary profile, removed on close): no state is shared
 * between runs.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return { browser, close: () => browser.close() };
}

/** The console's sign-in link for this e-mail (as `npm run token -- --link`), on the test API. */
export async function signInLink(
  email: string,
  base = apiUrl(),
  expiresIn = 3600,
): Promise<string> {
  const token = await tokenFor(userWithEmail(email), { expiresIn });
  const fragment = new URLSearchParams({
    access_token: token,
    token_type: 'bearer',
    expires_in: String(expiresIn),
  });
  return `${base.replace(/\/+$/, '')}/#${fragment.toString()}`;
}

/**
 * Signs a new user in with the link and creates their first workspace through the console's
 * form, as a person would; returns the workspace's id (read back from the API).
 */
export async function signInWithNewWorkspace(
  page: Page,
  email: string,
  workspaceName: string,
  base = apiUrl(),
): Promise<string> {
  await page.goto(await signInLink(email, base));
  await createFirstWorkspace(page, workspaceName);
  const response = await apiAs(email, '/workspaces', {}, base);
  const { items } = (await response.json()) as { items: { workspaceId: string; name: string }[] };
  const created = items.find((item) => item.name === workspaceName);
  if (!created) throw new Error(`workspace ${workspaceName} not found for ${email}`);
  return created.workspaceId;
}

/** Fills the first-run form of a user with no workspace yet and waits for the documents page. */
export async function createFirstWorkspace(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { name: 'Create your first workspace' }).waitFor();
  await page.getByLabel('Workspace name').fill(name);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  // The first-workspace form already sits at /app/documents: wait for the page itself.
  await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
}

/** Opens a section from the navigation (behind the Menu button at a phone's width). */
export async function openSection(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name }).click();
}

/**
 * Everything the page reported that a user would call broken: console errors, uncaught page
 * errors, failed requests of the console's own files. `assertClean()` fails the test with them.
 */
export class ProblemCollector {
  readonly problems: string[] = [];
  /** Console errors that a step expects (e.g. the browser's own log of an intended 4xx). */
  private readonly expected: RegExp[] = [];

  watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      if (this.expected.some((pattern) => pattern.test(text))) return;
      const where = message.location().url;
      this.problems.push(`console error: ${text}${where ? ` (${where})` : ''}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      const url = request.url();
      // Streams the page closes on purpose (SSE when leaving a page) are aborted, not failures.
      if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
      this.problems.push(`request failed: ${url} ${request.failure()?.errorText ?? ''}`);
    });
  }

  /** Lets console errors matching `pattern` through (Chromium logs every 4xx/5xx response). */
  expect(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  assertClean(): void {
    if (this.problems.length > 0) {
      throw new Error(`the browser reported problems:\n  ${this.problems.join('\n  ')}`);
    }
  }
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  problems: ProblemCollector;
}

/** A fresh context (no cookies or storage from other tests) and page, watched for problems. */
export async function openConsolePage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = new ProblemCollector();
  problems.watch(page);
  return { context, page, problems };
}

/** Saves a full-page PNG as .data/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core on the page as it is and fails on serious or critical violations. Its source is
 * evaluated through the DevTools protocol (page.evaluate), which the page's CSP does not govern,
 * so the console's policy stays as strict as in production.
 */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // These callbacks run in the page; the test program has no DOM types, hence globalThis.
  const installed = await page.evaluate(() => 'axe' in globalThis);
  if (!installed) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const page = globalThis as unknown as {
      axe: { run: (context: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    const result = await page.axe.run(page.document);
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const lines = serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`);
    throw new Error(`accessibility violations on ${label}:\n  ${lines.join('\n  ')}`);
  }
}

/** Fetches the test API with a user's token (to check what the UI did, never to do it). */
export async function apiAs(
  email: string,
  path: string,
  init: RequestInit & { workspaceId?: string } = {},
  base = apiUrl(),
): Promise<Response> {
  const token = await tokenFor(userWithEmail(email), { expiresIn: 600 });
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.workspaceId) headers.set('x-workspace-id', init.workspaceId);
  return fetch(`${base.replace(/\/+$/, '')}${path}`, { ...init, headers });
}
