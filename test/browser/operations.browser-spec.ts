// The operators' view in Chromium: an alert posted through the real POST /operator/alerts (as
// Alertmanager posts it, with the shared secret) appears live on the Operators page with its
// severity, start and runbook, and moves to the resolved ones when its resolution is posted; a
// real upload's trace, read from the stack's Jaeger, opens from the document as a span tree, and
// a search answer links its own trace. The API is a process of this test, with the test user as
// its operator; its spans go to the stack's Jaeger and its uploads to the test workers.
import { randomBytes } from 'node:crypto';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { userWithEmail } from '../support/auth';
import { jaegerQueryBase } from '../support/jaeger';
import {
  apiAs,
  type ConsolePage,
  DESKTOP,
  launchBrowser,
  type LaunchedBrowser,
  openConsolePage,
  screenshot,
  signInLink,
} from './support/browser';
import {
  createFirstWorkspace,
  INDEX_TIMEOUT_MS,
  look,
  openSection,
  uploadAndWaitIndexed,
  wordToken,
} from './steps';

jest.setTimeout(2 * INDEX_TIMEOUT_MS + 120_000);

const run = randomBytes(4).toString('hex');
const operatorEmail = `operator-${run}@cairn.test`;
const webhookSecret = randomBytes(24).toString('hex');
// Alertmanager's fingerprint of the test alert's labels: one firing, resolved later.
const fingerprint = randomBytes(8).toString('hex');

let api: ApiProcess;
let chromium: LaunchedBrowser;

beforeAll(async () => {
  api = await startApiProcess({
    CAIRN_OPERATOR_USER_IDS: userWithEmail(operatorEmail).id,
    CAIRN_OPERATOR_SESSION_SECRET: randomBytes(24).toString('hex'),
    CAIRN_ALERT_WEBHOOK_SECRET: webhookSecret,
    CAIRN_JAEGER_QUERY_URL: jaegerQueryBase(),
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${process.env.CAIRN_JAEGER_OTLP_HTTP_PORT ?? '4318'}/v1/traces`,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  chromium = await launchBrowser();
});
afterAll(async () => {
  await chromium?.close();
  await api?.stop();
});

/** Posts one notification as Alertmanager does (webhook version 4, Bearer secret). */
async function postAlert(
  status: 'firing' | 'resolved',
  labels: Record<string, string>,
  startsAt: string,
): Promise<void> {
  const alert = {
    status,
    labels,
    annotations: {
      summary: `Dependency ${labels.dependency} is down`,
      runbook_url: 'docs/operations.md#runbook-cairndependencydown',
    },
    startsAt,
    ...(status === 'resolved' ? { endsAt: new Date().toISOString() } : {}),
    generatorURL: 'http://127.0.0.1:9090/graph',
    fingerprint,
  };
  const response = await fetch(`${api.url}/operator/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${webhookSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4',
      status,
      receiver: 'cairn',
      groupKey: `{}:{alertname="CairnDependencyDown"}`,
      alerts: [alert],
    }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ received: 1 });
}

describe('operations view', () => {
  let operator: ConsolePage;

  beforeAll(async () => {
    operator = await openConsolePage(chromium.browser, DESKTOP);
    // The Operators page also reads GET /health/ready, which answers 503 when a dependency's
    // check times out (2 s): on a loaded test machine it does, and that is not what is tested here.
    operator.problems.expect(/status of 503/);
    await operator.page.goto(await signInLink(operatorEmail, api.url));
    await createFirstWorkspace(operator.page, `Operations ${run}`);
  });
  afterAll(async () => {
    await operator?.context.close();
  });

  it('shows an alert posted to POST /operator/alerts live, then its resolution', async () => {
    const { page, problems } = operator;
    await openSection(page, 'Operators');
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await alerts.getByRole('status').getByText('live').waitFor();

    const dependency = `browser-${run}`;
    const labels = { alertname: 'CairnDependencyDown', severity: 'page', dependency };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await postAlert('firing', labels, startsAt);

    // Arrives over the stream: no reload.
    const row = alerts.locator('tr', { hasText: `dependency=${dependency}` });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('firing');
    await row.getByText('CairnDependencyDown', { exact: true }).waitFor();
    await row.getByText(`Dependency ${dependency} is down`).waitFor();
    await row.getByRole('cell', { name: 'page', exact: true }).waitFor();
    const since = row.locator('time').first();
    expect(await since.getAttribute('datetime')).toBe(startsAt);
    await look(page, 'operations-alert-firing');

    await postAlert('resolved', labels, startsAt);
    await alerts
      .locator('tr[data-status="resolved"]', { hasText: `dependency=${dependency}` })
      .waitFor();
    expect(await alerts.locator('tr[data-status="firing"]', { hasText: dependency }).count()).toBe(
      0,
    );
    await look(page, 'operations-alert-resolved');

    // The API recorded one row, resolved.
    const listed = await apiAs(operatorEmail, '/operator/alerts', {}, api.url);
    const { items } = (await listed.json()) as {
      items: { status: string; labels: Record<string, string>; endsAt: string | null }[];
    };
    const mine = items.filter((item) => item.labels.dependency === dependency);
    expect(mine).toEqual([expect.objectContaining({ status: 'resolved' })]);
    expect(mine[0].endsAt).not.toBeNull();

    // Its runbook opens in the console.
    await alerts
      .locator('tr', { hasText: `dependency=${dependency}` })
      .getByRole('link', { name: /Runbook/ })
      .click();
    await page.getByRole('heading', { name: 'Runbook: CairnDependencyDown', level: 1 }).waitFor();
    await page.getByText('What it means').first().waitFor();
    await look(page, 'operations-runbook');
    problems.assertClean();
  });

  it("opens a real upload's trace from Jaeger, and a search answer's", async () => {
    const { page, problems } = operator;
    // Until Jaeger has the spans, the trace view's read of a trace answers 404 (Chromium logs it).
    problems.expect(/status of 404/);
    const token = wordToken();
    await openSection(page, 'Documents');
    await uploadAndWaitIndexed(page, [
      {
        name: `trace-${token}.txt`,
        mimeType: 'text/plain',
        buffer: Buffer.from(`Orwen Lask${token} repaired the tide mill at Harrowmere${token}.`),
      },
    ]);
    await page
      .getByRole('link', { name: new RegExp(`trace-${token}`) })
      .first()
      .click();
    await page.getByRole('heading', { name: new RegExp(`trace-${token}`), level: 1 }).waitFor();

    // The document's workflow traces, searched in Jaeger (spans arrive within a second or two).
    const traces = page.locator('.workflow-traces');
    const firstTrace = traces.getByRole('link').first();
    const searchAgain = traces.getByRole('button', { name: 'Search again' });
    for (let attempt = 0; ; attempt++) {
      await firstTrace.or(searchAgain).or(traces.getByRole('alert')).first().waitFor();
      if (await firstTrace.isVisible()) break;
      if (attempt > 20 || !(await searchAgain.isVisible())) {
        await screenshot(page, 'operations-trace-missing');
        throw new Error(`no trace of the upload: ${await traces.innerText()}`);
      }
      await searchAgain.click();
      await page.waitForTimeout(1_000);
    }
    await firstTrace.click();
    await page.getByRole('heading', { name: 'Trace', level: 1 }).waitFor();
    const spans = page.getByRole('list', { name: 'Spans' });
    await spans.locator('li[data-service="cairn-api"]').first().waitFor();
    // The workers' spans of the same trace: the workflow and its activities.
    for (let attempt = 0; ; attempt++) {
      const activities = await spans.getByRole('button', { name: /^RunActivity:/ }).count();
      if (activities >= 3) break;
      if (attempt > 20) throw new Error(`only ${activities} activity spans in the trace`);
      await page.getByRole('button', { name: 'Read again' }).click();
      await page.waitForTimeout(1_000);
    }
    expect(await spans.locator('li[data-service="cairn-worker"]').count()).toBeGreaterThan(3);
    // A span's attributes open under it.
    const activity = spans.getByRole('button', { name: /^RunActivity:/ }).first();
    await activity.click();
    expect(await activity.getAttribute('aria-expanded')).toBe('true');
    await spans.getByText('temporalWorkflowId').first().waitFor();
    await look(page, 'operations-trace-upload');

    // A search answer links its own trace.
    await openSection(page, 'Search');
    await page
      .getByLabel('Question or keywords')
      .fill(`Who repaired the tide mill at Harrowmere${token}?`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: 'trace', exact: true }).click();
    await page.getByRole('heading', { name: 'Trace', level: 1 }).waitFor();
    for (let attempt = 0; ; attempt++) {
      if (await spans.getByRole('button', { name: 'POST /search' }).isVisible()) break;
      if (attempt > 20) throw new Error('the search span did not reach Jaeger');
      if (await page.getByRole('button', { name: 'Read again' }).isVisible()) {
        await page.getByRole('button', { name: 'Read again' }).click();
      } else {
        await page.reload();
      }
      await page.waitForTimeout(1_000);
    }
    problems.assertClean();
  });

  it('shows neither alerts nor traces to someone who is not an operator', async () => {
    const other = await openConsolePage(chromium.browser, DESKTOP);
    try {
      const email = `not-operator-${run}@cairn.test`;
      await other.page.goto(await signInLink(email, api.url));
      await createFirstWorkspace(other.page, `Not operations ${run}`);
      await openSection(other.page, 'Operators');
      await other.page.getByText('shown to operators').waitFor();
      expect(await other.page.getByRole('region', { name: 'Alerts' }).count()).toBe(0);
      const trace = await apiAs(email, `/operator/traces/${'ab'.repeat(16)}`, {}, api.url);
      expect(trace.status).toBe(403);
      other.problems.assertClean();
    } finally {
      await other.context.close();
    }
  });
});
