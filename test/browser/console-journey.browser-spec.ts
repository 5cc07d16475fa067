// The console's main journey, as a user does it in Chromium: sign in with the local link, create a
// workspace, upload a PDF and a DOCX made here (and a text file), watch them reach indexed, ask a
// two-hop question, read the answer's relation path, open the connecting entity and its graph,
// delete the answer's document and see it leave the search. At desktop and at phone size.
import { buildDocx, buildPdf } from '../support/documents/document-fixtures';
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

describe.each(VIEWPORTS)('console journey at $name size ($width×$height)', (viewport) => {
  const token = wordToken();
  const founder = `Ildric Tav${token}`;
  const foundry = `Velbrook${token} Foundry`;
  const town = `Quenmoor${token}`;
  const question = `In which town is the foundry established by ${founder}?`;
  let user: ConsolePage;

  beforeAll(async () => {
    user = await signedIn(
      chromium.browser,
      viewport,
      `journey-${viewport.name}-${token}@cairn.test`,
    );
  });
  afterAll(async () => {
    await user?.context.close();
  });

  it('uploads, watches, searches two hops, explores the graph and deletes', async () => {
    const { page } = user;
    await createFirstWorkspace(page, `Journey ${token}`);
    await look(page, `documents-empty-${viewport.name}`);

    const files = [
      {
        name: `${founder}.pdf`,
        mimeType: 'application/pdf',
        buffer: await buildPdf(
          [
            [
              `${founder} was an engineer of the nineteenth century.`,
              `In 1871 ${founder} established the ${foundry},`,
              'which he ran until his death.',
            ],
          ],
          founder,
        ),
      },
      {
        name: `${foundry}.docx`,
        mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        buffer: await buildDocx([
          `The ${foundry} stands in ${town}, a harbour settlement on the northern coast, and still casts church bells.`,
        ]),
      },
      {
        name: `Ossian Drel${token}.txt`,
        mimeType: 'text/plain',
        buffer: Buffer.from(
          `The foundry established by Ossian Drel${token} is in the town of Harrow${token}, where the foundry established its first furnace.\n`,
        ),
      },
    ];
    await uploadAndWaitIndexed(page, files);
    await look(page, `documents-${viewport.name}`);

    // The answer passage names neither the founder nor the question's words: only the graph
    // (founder —established→ foundry) connects it.
    await openSection(page, 'Search');
    await page.getByLabel('Question or keywords').fill(question);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const answer = page.getByRole('listitem', { name: foundry, exact: true });
    await answer.getByText(`stands in ${town}`).waitFor();
    const path = answer
      .getByRole('listitem', { name: new RegExp(`^Relation path: ${founder} .*${foundry}`) })
      .first();
    await path.waitFor();
    await look(page, `search-${viewport.name}`);

    // The connecting entity, and its neighbourhood drawn.
    await path.getByRole('link', { name: new RegExp(`^${founder}`) }).click();
    await page.getByRole('heading', { level: 1, name: founder }).waitFor();
    await page.getByText(/^\d+ entities, \d+ relations shown/).waitFor();
    const drawn = Number(
      await page
        .getByRole('img', { name: /^Graph of \d+ entities/ })
        .getAttribute('data-node-count'),
    );
    expect(drawn).toBeGreaterThan(1);
    await look(page, `entity-${viewport.name}`);

    // Delete the answer's document; it leaves the search at once.
    await openSection(page, 'Documents');
    await page.getByRole('link', { name: foundry, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: foundry }).waitFor();
    await page.getByRole('heading', { name: 'Chunks' }).waitFor();
    await look(page, `document-${viewport.name}`);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();

    await openSection(page, 'Search');
    await page.getByLabel('Question or keywords').fill(question);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /passages? in \d+ ms/ })
      .waitFor();
    await page.getByRole('listitem', { name: `Ossian Drel${token}`, exact: true }).waitFor();
    expect(await page.getByRole('listitem', { name: foundry, exact: true }).count()).toBe(0);
    user.problems.assertClean();
  });
});
