// Steps the console journeys share, done as a user does them: through labels, roles and text.
import type { Page } from 'playwright-core';
import {
  assertAccessible,
  type ConsolePage,
  DESKTOP,
  openConsolePage,
  PHONE,
  screenshot,
  signInLink,
} from './support/browser';
import type { Browser } from 'playwright-core';

export const VIEWPORTS = [
  { name: 'desktop', ...DESKTOP },
  { name: 'phone', ...PHONE },
];

export const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 180_000);

const letters = 'bcdfghjklmnpqrstvwxz';
/** A run token of letters only, so that names made from it stay words for the extractor. */
export function wordToken(): string {
  return `${Date.now().toString(20)}${Math.floor(Math.random() * 400)}`
    .split('')
    .map((character) => letters[parseInt(character, 20) % letters.length])
    .join('');
}

/** Opens the sign-in link in a fresh page, as the user clicking it. */
export async function signedIn(
  browser: Browser,
  viewport: { width: number; height: number },
  email: string,
): Promise<ConsolePage> {
  const opened = await openConsolePage(browser, viewport);
  await opened.page.goto(await signInLink(email));
  return opened;
}

/** Screenshot under .data/screenshots and the axe check, for the page as it is now. */
export async function look(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await assertAccessible(page, name);
}

export { createFirstWorkspace, openSection } from './support/browser';

export interface FileToUpload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Uploads through the Documents page's file picker and waits for each file to read Indexed. */
export async function uploadAndWaitIndexed(page: Page, files: FileToUpload[]): Promise<void> {
  await page.getByLabel('Files to upload').setInputFiles(files);
  const uploads = page.getByRole('list', { name: 'Uploads' });
  for (const file of files) {
    const row = uploads.getByRole('listitem').filter({ hasText: file.name });
    await row.getByText('Indexed', { exact: true }).waitFor({ timeout: INDEX_TIMEOUT_MS });
  }
}
