// A dependency going down reaches Cairn as an alert through the real chain: the API's readiness
// gauge (cairn_dependency_up) → Prometheus evaluating infra/prometheus/alerts.yml → Alertmanager
// with infra/alertmanager/alertmanager.yml.tmpl → POST /operator/alerts → GET /operator/alerts.
// Everything that is stopped or watched is this test's own: a Weaviate on ports of its own, an
// API process pointed at it, and a Prometheus and an Alertmanager on free ports. The stack's
// engines (which other tests and an `npm start` use) are never touched.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OperatorAlertDto } from '../../src/operator-alerts/operator-alerts.dto';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { testUser, tokenFor } from '../support/auth';

jest.setTimeout(6 * 60_000);

const repository = resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
// The route's group_wait for pages (infra/alertmanager/alertmanager.yml.tmpl).
const GROUP_WAIT_MS = 10_000;
// Resolutions go out with the group's next flush, group_interval after the last one.
const GROUP_INTERVAL_MS = 60_000;

interface OwnProcess {
  child: ChildProcess;
  output: () => string;
}

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): OwnProcess {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

async function stopProcess(own: OwnProcess | undefined): Promise<void> {
  const child = own?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  own?: OwnProcess,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (own && own.child.exitCode !== null) {
      throw new Error(`${what}: the process exited (${own.child.exitCode}):\n${own.output()}`);
    }
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms\n${own?.output() ?? ''}`);
    }
    await sleep(500);
  }
}

const answers = async (url: string) => ((await fetch(url)).ok ? true : undefined);

/** Weaviate as infra/stack.sh runs it, on six free ports and a folder of this test. */
async function weaviatePorts() {
  const [http, grpc, gossip, data, raft, raftRpc] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  return { http, grpc, gossip, data, raft, raftRpc };
}

function startWeaviate(
  ports: Awaited<ReturnType<typeof weaviatePorts>>,
  dataDir: string,
): OwnProcess {
  const binary = join(
    process.env.CAIRN_CACHE_DIR as string,
    'engines',
    `weaviate-${process.env.CAIRN_WEAVIATE_VERSION}`,
    'weaviate-server',
  );
  return startProcess(
    binary,
    ['--scheme', 'http', '--host', '127.0.0.1', '--port', String(ports.http)],
    {
      PERSISTENCE_DATA_PATH: dataDir,
      AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'true',
      DEFAULT_VECTORIZER_MODULE: 'none',
      ENABLE_MODULES: '',
      CLUSTER_HOSTNAME: 'node1',
      CLUSTER_BIND_ADDR: '127.0.0.1',
      CLUSTER_ADVERTISE_ADDR: '127.0.0.1',
      CLUSTER_GOSSIP_BIND_PORT: String(ports.gossip),
      CLUSTER_DATA_BIND_PORT: String(ports.data),
      RAFT_PORT: String(ports.raft),
      RAFT_INTERNAL_RPC_PORT: String(ports.raftRpc),
      RAFT_JOIN: `node1:${ports.raft}`,
      RAFT_BOOTSTRAP_EXPECT: '1',
      GRPC_PORT: String(ports.grpc),
      DISABLE_TELEMETRY: 'true',
      GO_PROFILING_DISABLE: 'true',
    },
  );
}

describe('alerting: a dependency down reaches POST /operator/alerts through Alertmanager', () => {
  const run = randomBytes(4).toString('hex');
  const folder = mkdtempSync(join(tmpdir(), 'cairn-alerting-'));
  const webhookSecret = randomBytes(24).toString('hex');
  const operator = testUser(`alert-operator-${run}`);
  let weaviatePortsUsed: Awaited<ReturnType<typeof weaviatePorts>>;
  let weaviate: OwnProcess | undefined;
  let api: ApiProcess | undefined;
  let prometheus: OwnProcess | undefined;
  let alertmanager: OwnProcess | undefined;
  let alertmanagerUrl: string;
  let operatorToken: string;

  /** This run's alerts as the API lists them to an operator. */
  async function recordedAlerts(): Promise<OperatorAlertDto[]> {
    const response = await fetch(`${api!.url}/operator/alerts?limit=500`, {
      headers: { authorization: `Bearer ${operatorToken}` },
    });
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: OperatorAlertDto[] };
    return items.filter((alert) => alert.labels.cairn_test_run === run);
  }

  beforeAll(async () => {
    operatorToken = await tokenFor(operator);
    weaviatePortsUsed = await weaviatePorts();
    weaviate = startWeaviate(weaviatePortsUsed, join(folder, 'weaviate'));
    await waitFor(
      'own Weaviate ready',
      () => answers(`http://127.0.0.1:${weaviatePortsUsed.http}/v1/.well-known/ready`),
      60_000,
      weaviate,
    );
    api = await startApiProcess({
      WEAVIATE_URL: `http://127.0.0.1:${weaviatePortsUsed.http}`,
      WEAVIATE_GRPC_URL: `127.0.0.1:${weaviatePortsUsed.grpc}`,
      CAIRN_ALERT_WEBHOOK_SECRET: webhookSecret,
      CAIRN_OPERATOR_USER_IDS: operator.id,
      CAIRN_OPERATOR_SESSION_SECRET: randomBytes(24).toString('hex'),
      // Spans of this API would only land beside the other tests' traces.
      OTEL_TRACES_EXPORTER: 'none',
    });

    // Alertmanager with the stack's own template, posting to this API.
    const [alertmanagerPort, prometheusPort] = [await freePort(), await freePort()];
    alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;
    writeFileSync(join(folder, 'webhook-secret'), webhookSecret, { mode: 0o600 });
    execFileSync('bash', [
      join(repository, 'infra/stack.sh'),
      'render-alertmanager-config',
      join(folder, 'alertmanager.yml'),
      `${api.url}/operator/alerts`,
      join(folder, 'webhook-secret'),
    ]);
    alertmanager = startProcess('prometheus-alertmanager', [
      `--config.file=${join(folder, 'alertmanager.yml')}`,
      `--storage.path=${join(folder, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
      '--cluster.listen-address=',
    ]);
    await waitFor(
      'own Alertmanager ready',
      () => answers(`${alertmanagerUrl}/-/ready`),
      30_000,
      alertmanager,
    );

    // Prometheus with the stack's rules, scraping this API every 2 s. Each rule's `for` is
    // cut to 5 s (the rules are the same otherwise), so the test waits seconds, not minutes.
    const rules = readFileSync(join(repository, 'infra/prometheus/alerts.yml'), 'utf8').replace(
      /^(\s+for:) \S+$/gm,
      '$1 5s',
    );
    writeFileSync(join(folder, 'alerts.yml'), rules);
    writeFileSync(
      join(folder, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 2s',
        '  evaluation_interval: 1s',
        // Every alert of this Prometheus carries the run, so the listing can be filtered by it.
        `  external_labels: { cairn_test_run: '${run}' }`,
        'rule_files:',
        `  - ${join(folder, 'alerts.yml')}`,
        'alerting:',
        '  alertmanagers:',
        `    - static_configs: [{ targets: ['127.0.0.1:${alertmanagerPort}'] }]`,
        'scrape_configs:',
        '  - job_name: cairn-api',
        `    static_configs: [{ targets: ['${new URL(api.url).host}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = startProcess('prometheus', [
      `--config.file=${join(folder, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(folder, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ]);
    await waitFor(
      'own Prometheus sees Weaviate up',
      async () => {
        const query = encodeURIComponent('cairn_dependency_up{dependency="weaviate"} == 1');
        const response = await fetch(
          `http://127.0.0.1:${prometheusPort}/api/v1/query?query=${query}`,
        );
        const body = (await response.json()) as { data: { result: unknown[] } };
        return body.data.result.length > 0 ? true : undefined;
      },
      60_000,
      prometheus,
    );
  });

  afterAll(async () => {
    await stopProcess(prometheus);
    await stopProcess(alertmanager);
    await api?.stop();
    await stopProcess(weaviate);
    rmSync(folder, { recursive: true, force: true });
  });

  it('refuses a webhook call without the shared secret, and alert listings to non-operators', async () => {
    const unsigned = await fetch(`${api!.url}/operator/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    const stranger = await tokenFor(testUser(`not-an-operator-${run}`));
    const listing = await fetch(`${api!.url}/operator/alerts`, {
      headers: { authorization: `Bearer ${stranger}` },
    });
    expect(listing.status).toBe(403);
    expect(await recordedAlerts()).toEqual([]);
  });

  it('fires CairnDependencyDown when Weaviate stops, inhibits what it explains, and resolves it when Weaviate is back', async () => {
    await stopProcess(weaviate);

    // Firing: recorded within the group wait of Prometheus's first notification.
    const fired = await waitFor(
      'CairnDependencyDown recorded',
      async () =>
        (await recordedAlerts()).find(
          (alert) => alert.alertname === 'CairnDependencyDown' && alert.status === 'firing',
        ),
      90_000,
    );
    expect(fired).toMatchObject({
      severity: 'page',
      endsAt: null,
      labels: { dependency: 'weaviate', severity: 'page' },
      annotations: {
        summary: 'Dependency weaviate is down',
        runbook_url: 'docs/operations.md#runbook-cairndependencydown',
      },
    });
    const delivery = Date.parse(fired.firstReceivedAt) - Date.parse(fired.startsAt);
    expect(delivery).toBeLessThanOrEqual(GROUP_WAIT_MS + 5_000);
    // Only Weaviate is down: no other dependency alert.
    const dependencies = (await recordedAlerts())
      .filter((alert) => alert.alertname === 'CairnDependencyDown')
      .map((alert) => alert.labels.dependency);
    expect(dependencies).toEqual(['weaviate']);

    // Inhibition: an error-rate page while the dependency is down is held back by Alertmanager.
    const posted = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: {
            alertname: 'CairnHighErrorRate',
            severity: 'page',
            job: 'cairn-api',
            cairn_test_run: run,
          },
          annotations: { summary: 'More than 5% of API requests fail with a 5xx status' },
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
        },
      ]),
    });
    expect(posted.status).toBe(200);
    const inhibited = await waitFor(
      'CairnHighErrorRate inhibited',
      async () => {
        const filter = encodeURIComponent('alertname="CairnHighErrorRate"');
        const response = await fetch(`${alertmanagerUrl}/api/v2/alerts?filter=${filter}`);
        const [alert] = (await response.json()) as {
          status: { state: string; inhibitedBy: string[] };
        }[];
        return alert?.status.state === 'suppressed' ? alert : undefined;
      },
      15_000,
    );
    expect(inhibited.status.inhibitedBy).toHaveLength(1);
    await sleep(GROUP_WAIT_MS + 3_000);
    expect(
      (await recordedAlerts()).filter((alert) => alert.alertname === 'CairnHighErrorRate'),
    ).toEqual([]);

    // Weaviate back (same folder and ports): the same firing is closed, not a new row.
    weaviate = startWeaviate(weaviatePortsUsed, join(folder, 'weaviate'));
    const resolved = await waitFor(
      'CairnDependencyDown resolved',
      async () =>
        (await recordedAlerts()).find(
          (alert) => alert.alertname === 'CairnDependencyDown' && alert.status === 'resolved',
        ),
      GROUP_INTERVAL_MS + 60_000,
      weaviate,
    );
    expect(resolved).toMatchObject({ id: fired.id, fingerprint: fired.fingerprint });
    expect(resolved.endsAt).not.toBeNull();
    expect(resolved.notifications).toBeGreaterThanOrEqual(2);
  });
});
