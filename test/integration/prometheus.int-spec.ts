// Prometheus of the local stack: the alert rules and the rendered configuration pass promtool,
// each alert fires on series built to trip it (promtool test rules), and the running server
// has loaded the rules and scrapes Temporal and the API.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const prometheusDir = join(root, 'infra/prometheus');
const prometheusUrl = `http://127.0.0.1:${process.env.CAIRN_PROMETHEUS_PORT}`;
const ALERTS = [
  'CairnHighErrorRate',
  'CairnHighLatency',
  'CairnTaskQueueBacklog',
  'CairnDependencyDown',
  'CairnTargetDown',
];

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The template with each placeholder replaced the way infra/stack.sh does it. */
function renderConfig(): string {
  const env = process.env;
  const port = (name: string) => Number(env[name]);
  const values: Record<string, string> = {
    CAIRN_ROOT: root,
    CAIRN_API_PORT: String(port('CAIRN_API_PORT')),
    CAIRN_TEST_API_PORT: String(port('CAIRN_TEST_API_PORT')),
    CAIRN_WORKER_METRICS_PORT: String(port('CAIRN_WORKER_METRICS_PORT')),
    CAIRN_WORKER_METRICS_PORT_AI: String(port('CAIRN_WORKER_METRICS_PORT') + 2),
    CAIRN_WORKER_METRICS_PORT_STORAGE: String(port('CAIRN_WORKER_METRICS_PORT') + 4),
    CAIRN_TEST_WORKER_METRICS_PORT: String(port('CAIRN_TEST_WORKER_METRICS_PORT')),
    CAIRN_TEST_WORKER_METRICS_PORT_AI: String(port('CAIRN_TEST_WORKER_METRICS_PORT') + 2),
    CAIRN_TEST_WORKER_METRICS_PORT_STORAGE: String(port('CAIRN_TEST_WORKER_METRICS_PORT') + 4),
    CAIRN_TEMPORAL_METRICS_PORT: String(port('CAIRN_TEMPORAL_METRICS_PORT')),
    CAIRN_PROMETHEUS_PORT: String(port('CAIRN_PROMETHEUS_PORT')),
    CAIRN_ALERTMANAGER_PORT: String(port('CAIRN_ALERTMANAGER_PORT')),
  };
  const template = readFileSync(join(prometheusDir, 'prometheus.yml.tmpl'), 'utf8');
  return template.replace(/\$\{([A-Z_]+)\}/g, (match, name: string) => {
    if (!(name in values)) throw new Error(`the test does not know placeholder ${match}`);
    return values[name];
  });
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${prometheusUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

describe('Prometheus configuration and alert rules', () => {
  it('promtool check rules accepts the alert rules, all five of them', () => {
    const result = promtool('check', 'rules', 'alerts.yml');
    expect(result).toEqual({
      status: 0,
      output: expect.stringContaining('SUCCESS: 5 rules found'),
    });
  });

  it('promtool test rules: each alert fires on its series and stays quiet on healthy ones', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    const tests = readFileSync(join(prometheusDir, 'alerts.test.yml'), 'utf8');
    for (const alert of ALERTS) expect(tests).toContain(`alertname: ${alert}`);
  });

  it('promtool check config accepts the configuration rendered with the stack ports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-prometheus-'));
    try {
      const rendered = renderConfig();
      expect(rendered).not.toContain('${');
      writeFileSync(join(dir, 'prometheus.yml'), rendered);
      const result = promtool('check', 'config', join(dir, 'prometheus.yml'));
      expect(result.status).toBe(0);
      expect(result.output).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('infra/stack.sh substitutes every placeholder the template uses', () => {
    const template = readFileSync(join(prometheusDir, 'prometheus.yml.tmpl'), 'utf8');
    const stackScript = readFileSync(join(root, 'infra/stack.sh'), 'utf8');
    const loop = /for name in ([\s\S]*?); do\s+text=\$\{text\/\//.exec(stackScript);
    expect(loop).not.toBeNull();
    const substituted = new Set(loop![1].split(/[\s\\]+/).filter(Boolean));
    const used = [...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]);
    expect(used.filter((name) => !substituted.has(name))).toEqual([]);
  });
});

describe("the stack's running Prometheus", () => {
  it('has loaded the alert rules', async () => {
    const rules = await getJson<{
      data: { groups: { rules: { name: string; type: string }[] }[] };
    }>('/api/v1/rules');
    const alerts = rules.data.groups.flatMap((group) =>
      group.rules.filter((rule) => rule.type === 'alerting').map((rule) => rule.name),
    );
    expect(alerts.sort()).toEqual([...ALERTS].sort());
  });

  it("scrapes Temporal's metrics and the tests' API", async () => {
    type Targets = {
      data: {
        activeTargets: { labels: Record<string, string>; health: string; scrapeUrl: string }[];
      };
    };
    const apiTarget = `127.0.0.1:${process.env.CAIRN_TEST_API_PORT}`;
    const healthOf = (targets: Targets, job: string, instance?: string) =>
      targets.data.activeTargets.find(
        (target) =>
          target.labels.job === job &&
          (instance === undefined || target.labels.instance === instance),
      )?.health;
    // A target is scraped every 15 s: a freshly started stack may not have reached it yet.
    const deadline = Date.now() + 45_000;
    let targets = await getJson<Targets>('/api/v1/targets');
    while (
      (healthOf(targets, 'temporal') !== 'up' ||
        healthOf(targets, 'cairn-api', apiTarget) !== 'up') &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      targets = await getJson<Targets>('/api/v1/targets');
    }
    expect(healthOf(targets, 'temporal')).toBe('up');
    expect(healthOf(targets, 'cairn-api', apiTarget)).toBe('up');
    const jobs = new Set(targets.data.activeTargets.map((target) => target.labels.job));
    expect([...jobs].sort()).toEqual(['cairn-api', 'cairn-worker', 'prometheus', 'temporal']);
  }, 60_000);
});
