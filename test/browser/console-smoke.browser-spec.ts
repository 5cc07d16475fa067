import { randomUUID } from 'node:crypto';
import {
  apiAs,
  assertAccessible,
  DESKTOP,
  type LaunchedBrowser,
  launchBrowser,
  openConsolePage,
  PHONE,
  screenshot,
  signInLink,
} from './support/browser';

jest.setTimeout(120_000);

// The first minute of a new user: the local sign-in link, the console showing who is signed in,
// the first workspace created through the form. At a desktop size and at a phone's.
describe('console: sign in and create a workspace', () => {
  let launched: LaunchedBrowser;

  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('works at the %s size', async (label, viewport) => {
    const email = `smoke-${label}-${randomUUID().slice(0, 8)}@cairn.test`;
    const { context, page, problems } = await openConsolePage(launched.browser, viewport);
    try {
      await page.goto(await signInLink(email));

      // The token leaves the address bar; the new user is asked for a first workspace.
      await page.getByRole('heading', { name: 'Create your first workspace' }).waitFor();
      expect(page.url()).not.toContain('access_token');
      expect(new URL(page.url()).hash).toBe('');
      // Who is signed in: in the top bar (which leaves it out at a phone's width).
      await page.getByText(email).waitFor({ state: viewport === PHONE ? 'attached' : 'visible' });
      // Tokens live in the tab (sessionStorage or memory), never in localStorage.
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...(globalThis as unknown as { localStorage: object }).localStorage }),
      );
      expect(stored).not.toContain('eyJ');
      await assertAccessible(page, `first workspace (${label})`);
      await screenshot(page, `console-first-workspace-${label}`);

      const name = `Smoke ${label} ${randomUUID().slice(0, 6)}`;
      await page.getByLabel('Workspace name').fill(name);
      await page.getByRole('button', { name: 'Create workspace' }).click();

      // The console switches to it: the switcher names it, the documents page is shown.
      await page.waitForURL(/\/app\/documents$/);
      await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
      const switcher = page.getByLabel('Workspace', { exact: true });
      expect(await switcher.locator('option:checked').textContent()).toBe(`${name} (owner)`);
      await assertAccessible(page, `documents of a new workspace (${label})`);
      await screenshot(page, `console-documents-empty-${label}`);

      // The API agrees: the user owns exactly that workspace.
      const mine = await apiAs(email, '/workspaces');
      const body = (await mine.json()) as { items: { name: string; role: string }[] };
      expect(body.items).toEqual([expect.objectContaining({ name, role: 'owner' })]);
      problems.assertClean();
    } finally {
      await context.close();
    }
  });
});
