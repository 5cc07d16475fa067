import { randomUUID } from 'node:crypto';
import {
  apiAs,
  apiUrl,
  assertAccessible,
  DESKTOP,
  type LaunchedBrowser,
  launchBrowser,
  openConsolePage,
  openSection,
  PHONE,
  screenshot,
  signInWithNewWorkspace,
} from './support/browser';

jest.setTimeout(120_000);

// A workspace owner hands out an API key and takes it back, all in the console: the secret is
// shown once, works against the API, stops working when revoked, and the audit log shows both.
describe('console: API keys', () => {
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
  ])('creates a key shown once, revokes it, and audits both (%s)', async (label, viewport) => {
    const email = `keys-${label}-${randomUUID().slice(0, 8)}@cairn.test`;
    const { context, page, problems } = await openConsolePage(launched.browser, viewport);
    try {
      await signInWithNewWorkspace(page, email, `Keys ${label}`);
      await openSection(page, 'Workspace');
      const keys = page.getByRole('region', { name: 'API keys' });
      await keys.getByText('No API keys').waitFor();

      const keyName = `ci-${label}-${randomUUID().slice(0, 6)}`;
      await keys.getByLabel('Key name').fill(keyName);
      await keys.getByLabel('Key role').selectOption('editor');
      await keys.getByRole('button', { name: 'Create API key' }).click();

      // Shown once, in full: it works against the API with the role chosen.
      const secretField = keys.getByLabel('New API key');
      await secretField.waitFor();
      const secret = await secretField.inputValue();
      expect(secret).toMatch(/^ck_/);
      await assertAccessible(page, `API key shown once (${label})`);
      await screenshot(page, `console-api-key-created-${label}`);
      const asKey = await fetch(`${apiUrl()}/workspaces/current`, {
        headers: { 'x-api-key': secret },
      });
      expect(asKey.status).toBe(200);
      expect(await asKey.json()).toMatchObject({ role: 'editor', via: 'apiKey' });

      // Dismissed, it is gone for good: neither the page nor a reload shows it again.
      await keys.getByRole('button', { name: 'Done' }).click();
      await secretField.waitFor({ state: 'detached' });
      await page.reload();
      const row = keys.getByRole('row').filter({ hasText: keyName });
      await row.waitFor();
      expect(await page.content()).not.toContain(secret);

      // Revoking asks first, then the key stops working at once.
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByRole('button', { name: 'Yes, revoke' }).click();
      await row.getByText('revoked').waitFor();
      const revoked = await fetch(`${apiUrl()}/workspaces/current`, {
        headers: { 'x-api-key': secret },
      });
      expect(revoked.status).toBe(401);

      // The audit log shows the creation and the revocation, newest first.
      const audit = page.getByRole('region', { name: 'Audit log' });
      const revokedEntry = audit.getByRole('row').filter({ hasText: 'api_key.revoked' });
      await revokedEntry.waitFor();
      const createdEntry = audit.getByRole('row').filter({ hasText: 'api_key.created' });
      await expect(createdEntry.textContent()).resolves.toContain(keyName);
      const actions = await audit.locator('tbody tr td:nth-child(2)').allTextContents();
      expect(actions.indexOf('api_key.revoked')).toBeLessThan(actions.indexOf('api_key.created'));
      await assertAccessible(page, `workspace after revoking (${label})`);
      await screenshot(page, `console-workspace-audit-${label}`);

      // The API's own record agrees with what the page showed.
      const workspaceId = (
        (await (await apiAs(email, '/workspaces')).json()) as { items: { workspaceId: string }[] }
      ).items[0].workspaceId;
      const log = (await (await apiAs(email, '/audit', { workspaceId })).json()) as {
        items: { action: string }[];
      };
      expect(log.items.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(['api_key.created', 'api_key.revoked']),
      );
      problems.assertClean();
    } finally {
      await context.close();
    }
  });
});
