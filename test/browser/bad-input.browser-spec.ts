import { randomUUID } from 'node:crypto';
import { elfExecutable } from '../support/fixtures';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import {
  apiAs,
  assertAccessible,
  DESKTOP,
  type LaunchedBrowser,
  launchBrowser,
  openConsolePage,
  PHONE,
  screenshot,
  signInWithNewWorkspace,
} from './support/browser';

jest.setTimeout(180_000);

interface DocumentList {
  items: { title: string }[];
  total: number;
}

// What a person sees when an upload is refused: the API's reason and its request id, in the
// upload's row, and nothing stored. Then the rate limit: an API with an upload budget of one,
// where the second file waits as Retry-After asks and says so, and only the first is stored.
describe('console: bad input', () => {
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
  ])(
    'shows why an empty file and a disguised executable are refused (%s)',
    async (label, viewport) => {
      const email = `bad-input-${label}-${randomUUID().slice(0, 8)}@cairn.test`;
      const { context, page, problems } = await openConsolePage(launched.browser, viewport);
      // Chromium logs each refused request as a console error: these two are the test's point.
      problems.expect(/Failed to load resource: the server responded with a status of 4(00|15)/);
      try {
        const workspaceId = await signInWithNewWorkspace(page, email, `Bad input ${label}`);
        await page.getByLabel('Files to upload').setInputFiles([
          { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
          { name: 'report.pdf', mimeType: 'application/pdf', buffer: elfExecutable() },
        ]);

        const uploads = page.getByRole('list', { name: 'Uploads' });
        const empty = uploads.getByRole('listitem').filter({ hasText: 'empty.txt' });
        const disguised = uploads.getByRole('listitem').filter({ hasText: 'report.pdf' });
        const emptyAlert = empty.getByRole('alert');
        await emptyAlert.waitFor();
        expect(await emptyAlert.textContent()).toMatch(/empty\.txt is empty/);
        expect(await emptyAlert.textContent()).toMatch(/HTTP 400 · request id [\w-]+/);
        const disguisedAlert = disguised.getByRole('alert');
        await disguisedAlert.waitFor();
        expect(await disguisedAlert.textContent()).toMatch(
          /report\.pdf is an ELF executable, not a PDF/,
        );
        expect(await disguisedAlert.textContent()).toMatch(/HTTP 415 · request id [\w-]+/);
        await assertAccessible(page, `refused uploads (${label})`);
        await screenshot(page, `console-upload-refused-${label}`);

        // Nothing of either was stored.
        const listed = (await (
          await apiAs(email, '/documents', { workspaceId })
        ).json()) as DocumentList;
        expect(listed.total).toBe(0);
        problems.assertClean();
      } finally {
        await context.close();
      }
    },
  );

  describe('over the upload rate limit', () => {
    let limited: ApiProcess;

    beforeAll(async () => {
      // An API whose budget is one upload, then one a minute: the second file gets a 429 with a
      // Retry-After of about a minute. It serves the same console (dist/web).
      limited = await startApiProcess({
        CAIRN_RATE_LIMIT_UPLOAD_BURST: '1',
        CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '1',
      });
    });
    afterAll(async () => {
      await limited?.stop();
    });

    it('waits as Retry-After asks, says so, and stores only what was accepted', async () => {
      const email = `rate-limited-${randomUUID().slice(0, 8)}@cairn.test`;
      const { context, page, problems } = await openConsolePage(launched.browser, DESKTOP);
      problems.expect(/Failed to load resource: the server responded with a status of 429/);
      try {
        const workspaceId = await signInWithNewWorkspace(page, email, 'Rate limited', limited.url);
        const token = randomUUID();
        await page.getByLabel('Files to upload').setInputFiles([
          { name: 'first.txt', mimeType: 'text/plain', buffer: Buffer.from(`First ${token}`) },
          { name: 'second.txt', mimeType: 'text/plain', buffer: Buffer.from(`Second ${token}`) },
        ]);

        // One of the two goes through; the other waits, telling the person why and for how long.
        const uploads = page.getByRole('list', { name: 'Uploads' });
        const waiting = uploads
          .getByRole('listitem')
          .filter({ hasText: /Too many uploads at once: trying again in \d+ s/ });
        await waiting.waitFor();
        const seconds = Number(
          /trying again in (\d+) s/.exec((await waiting.textContent()) ?? '')?.[1],
        );
        expect(seconds).toBeGreaterThan(5);
        // A minute at most: Retry-After and the countdown each round up to a whole second.
        expect(seconds).toBeLessThanOrEqual(62);
        await assertAccessible(page, 'upload waiting for its rate limit');
        await screenshot(page, 'console-upload-rate-limited-desktop');

        // Only the accepted file was stored; the waiting one was not.
        const listed = (await (
          await apiAs(email, '/documents', { workspaceId }, limited.url)
        ).json()) as DocumentList;
        expect(listed.total).toBe(1);
        const waitingName = (await waiting.textContent())?.includes('first.txt')
          ? 'first.txt'
          : 'second.txt';
        expect(listed.items.map((item) => item.title)).not.toContain(waitingName);
        problems.assertClean();
      } finally {
        await context.close();
      }
    });
  });
});
