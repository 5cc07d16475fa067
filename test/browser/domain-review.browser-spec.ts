// A domain reviewed in the console: the owner starts one in review mode from documents uploaded
// through the console, watches it reach review, approves it in the review panel and sees it
// active; a second user, invited as a viewer through the console, sees neither the review panel
// nor the upload control. At desktop and at phone size.
import { type ConsolePage, launchBrowser, type LaunchedBrowser } from './support/browser';
import {
  createFirstWorkspace,
  INDEX_TIMEOUT_MS,
  look,
  openSection,
  signedIn,
  uploadAndWaitIndexed,
  VIEWPORTS,
  wordToken,
} from './steps';

jest.setTimeout(4 * INDEX_TIMEOUT_MS);

let chromium: LaunchedBrowser;
beforeAll(async () => {
  chromium = await launchBrowser();
});
afterAll(async () => {
  await chromium?.close();
});

describe.each(VIEWPORTS)('domain review at $name size ($width×$height)', (viewport) => {
  const token = wordToken();
  const domainName = `Batteries ${token}`;
  const viewerEmail = `viewer-${viewport.name}-${token}@cairn.test`;
  const texts = {
    [`Battery Regulation ${token}.txt`]: `Helga Marston${token} founded Voltara${token} Industries in Oslo. Voltara${token} Industries builds sodium batteries for Nordlys${token} Energy. Nordlys${token} Energy is a utility based in Bergen that stores wind power.`,
    [`Recycling Rules ${token}.txt`]: `Voltara${token} Industries reported that Helga Marston${token} supervised the recycling plant in Oslo. Nordlys${token} Energy buys recycled cells from Voltara${token} Industries.`,
  };
  let owner: ConsolePage;
  let viewer: ConsolePage;

  beforeAll(async () => {
    owner = await signedIn(
      chromium.browser,
      viewport,
      `owner-${viewport.name}-${token}@cairn.test`,
    );
    viewer = await signedIn(chromium.browser, viewport, viewerEmail);
  });
  afterAll(async () => {
    await owner?.context.close();
    await viewer?.context.close();
  });

  it('starts a domain in review mode, approves it in the review panel, and shows it active', async () => {
    const { page } = owner;
    await createFirstWorkspace(page, `Domains ${token}`);
    await uploadAndWaitIndexed(
      page,
      Object.entries(texts).map(([name, text]) => ({
        name,
        mimeType: 'text/plain',
        buffer: Buffer.from(`${text}\n`),
      })),
    );

    await openSection(page, 'Domains');
    await page.getByRole('link', { name: 'New domain' }).click();
    await page.getByLabel('Name', { exact: true }).fill(domainName);
    // Documents are titled by their file names without the extension.
    for (const name of Object.keys(texts))
      await page.getByLabel(name.replace(/\.txt$/, '')).check();
    await page.getByLabel('Topics (one a line)').fill(`Voltara${token} Industries`);
    await page.getByLabel(/^Review: /).check();
    await look(page, `domain-new-${viewport.name}`);
    await page.getByRole('button', { name: 'Create domain' }).click();

    await page.getByRole('heading', { level: 1, name: domainName }).waitFor();
    const panel = page.getByRole('region', { name: /^Review revision 1/ });
    await panel.waitFor({ timeout: INDEX_TIMEOUT_MS });
    await page.getByText('awaiting review', { exact: true }).first().waitFor();
    await look(page, `domain-review-${viewport.name}`);

    await panel.getByLabel('Approve').check();
    await panel.getByRole('button', { name: 'Approve draft' }).click();
    await page
      .locator('.page-head')
      .getByText('active', { exact: true })
      .waitFor({ timeout: INDEX_TIMEOUT_MS });
    await page.getByRole('region', { name: 'Decisions' }).getByText('approve').waitFor();
    expect(await page.getByRole('region', { name: /^Review revision/ }).count()).toBe(0);
    await look(page, `domain-active-${viewport.name}`);
    owner.problems.assertClean();
  });

  it('shows a viewer no review panel and no upload control', async () => {
    const { page } = owner;
    await openSection(page, 'Workspace');
    await page.getByLabel('E-mail address to invite').fill(viewerEmail);
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('list', { name: 'Pending invitations' }).getByText(viewerEmail).waitFor();
    await look(page, `workspace-${viewport.name}`);

    const seen = viewer.page;
    await seen.reload();
    const invitation = seen.getByRole('region', { name: 'Invitations' });
    await invitation.getByText(`Domains ${token}`).waitFor();
    await invitation.getByRole('button', { name: 'Accept' }).click();
    await seen.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
    await seen.getByRole('heading', { name: 'In this workspace' }).waitFor();
    expect(await seen.getByLabel('Files to upload').count()).toBe(0);
    expect(await seen.getByRole('heading', { name: 'Upload documents' }).count()).toBe(0);
    await look(seen, `documents-viewer-${viewport.name}`);

    await openSection(seen, 'Domains');
    await seen.getByRole('link', { name: domainName }).click();
    await seen.getByRole('heading', { level: 1, name: domainName }).waitFor();
    await seen.getByRole('region', { name: 'Decisions' }).getByText('approve').waitFor();
    expect(await seen.getByRole('region', { name: /^Review revision/ }).count()).toBe(0);
    expect(await seen.getByRole('button', { name: 'Archive' }).count()).toBe(0);
    await look(seen, `domain-viewer-${viewport.name}`);
    viewer.problems.assertClean();
    owner.problems.assertClean();
  });
});
