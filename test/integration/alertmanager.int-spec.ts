// Alertmanager of the local stack: the configuration infra/stack.sh renders passes amtool, routes
// every Cairn alert to Cairn's receiver, inhibits only alerts that exist; each alert rule links a
// runbook that docs/operations.md has; the running Alertmanager posts to the API.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';

const root = resolve(__dirname, '../..');

type Rules = {
  groups: {
    rules: { alert: string; labels: { severity: string }; annotations: Record<string, string> }[];
  }[];
};
const rules = (
  load(readFileSync(join(root, 'infra/prometheus/alerts.yml'), 'utf8')) as Rules
).groups.flatMap((group) => group.rules);

function amtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('amtool', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('Alertmanager configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-alertmanager-'));
  const config = join(dir, 'alertmanager.yml');

  beforeAll(() => {
    writeFileSync(join(dir, 'secret'), 'x'.repeat(40), { mode: 0o600 });
    execFileSync('bash', [
      join(root, 'infra/stack.sh'),
      'render-alertmanager-config',
      config,
      'http://127.0.0.1:3000/operator/alerts',
      join(dir, 'secret'),
    ]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('amtool check-config accepts the rendered configuration', () => {
    const result = amtool('check-config', config);
    expect(result.status).toBe(0);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toContain('2 inhibit rules');
    expect(readFileSync(config, 'utf8')).not.toContain('${');
  });

  it.each(rules.map((rule) => [rule.alert, rule.labels.severity]))(
    'routes %s (%s) to Cairn',
    (alert, severity) => {
      const result = amtool(
        'config',
        'routes',
        'test',
        `--config.file=${config}`,
        '--verify.receivers=cairn',
        `alertname=${alert}`,
        `severity=${severity}`,
      );
      expect(result).toEqual({ status: 0, output: expect.stringContaining('cairn') });
    },
  );

  it('inhibits only alerts that the rules define, by alerts that the rules define', () => {
    type Inhibit = { source_matchers: string[]; target_matchers: string[] };
    const parsed = load(readFileSync(config, 'utf8')) as { inhibit_rules: Inhibit[] };
    const names = new Set(rules.map((rule) => rule.alert));
    const named = parsed.inhibit_rules.flatMap((rule) =>
      [...rule.source_matchers, ...rule.target_matchers]
        .filter((matcher) => matcher.startsWith('alertname'))
        .flatMap((matcher) => /"(.*)"/.exec(matcher)![1].split('|')),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !names.has(name))).toEqual([]);
  });
});

describe('runbooks', () => {
  const operations = readFileSync(join(root, 'docs/operations.md'), 'utf8');

  it.each(rules.map((rule) => [rule.alert, rule.annotations.runbook_url]))(
    '%s links its runbook in docs/operations.md',
    (alert, url) => {
      expect(url).toBe(`docs/operations.md#runbook-${alert.toLowerCase()}`);
      // GitHub's anchor of "### Runbook: CairnX" is runbook-cairnx.
      expect(operations).toContain(`### Runbook: ${alert}\n`);
    },
  );
});

describe("the stack's running Alertmanager", () => {
  it('is ready and posts to the API with the shared secret from a file', async () => {
    const url = `http://127.0.0.1:${process.env.CAIRN_ALERTMANAGER_PORT}`;
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    const status = (await (await fetch(`${url}/api/v2/status`)).json()) as {
      config: { original: string };
    };
    expect(status.config.original).toContain('/operator/alerts');
    expect(status.config.original).toContain('credentials_file:');
    expect(status.config.original).not.toContain(process.env.CAIRN_ALERT_WEBHOOK_SECRET);
  });
});
