// Kubernetes manifests, offline: infra/k8s-validate renders the base and each overlay with the
// kustomize Go API and decodes every object strictly into the official API types (k8s.io/api).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TASK_QUEUES } from '../../src/pipeline/task-queues';

const root = resolve(__dirname, '../..');
const overlays = ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/prod'];
const queues = Object.values(TASK_QUEUES);

type Container = {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string }; tcpSocket?: { port: string } };
  livenessProbe?: { httpGet?: { path: string }; tcpSocket?: { port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type K8sObject = {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    template?: { spec: { containers: Container[] } };
    scaleTargetRef?: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: {
      type: string;
      resource?: { name: string };
      external?: { metric: { name: string; selector?: { matchLabels?: Record<string, string> } } };
    }[];
    selector?: { matchLabels?: Record<string, string> };
    rules?: { host?: string }[];
  };
};
type Report = { dir: string; objects: K8sObject[]; problems: string[] };

function validate(dirs: string[]) {
  // stack.sh builds the validator on first use (cached by the hash of its sources).
  const result = spawnSync('bash', ['infra/stack.sh', 'validate-k8s', ...dirs], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const reports = result.stdout ? (JSON.parse(result.stdout) as Report[]) : [];
  return { status: result.status, stderr: result.stderr, reports };
}

describe('k8s manifests', () => {
  let reports: Report[];
  const rendered = (dir: string) => reports.find((r) => r.dir === dir)!.objects;
  const find = (dir: string, kind: string, name: string) => {
    const found = rendered(dir).find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${dir}: no ${kind} ${name}`);
    return found;
  };
  const containerOf = (dir: string, name: string) =>
    find(dir, 'Deployment', name).spec!.template!.spec.containers[0];

  beforeAll(() => {
    const result = validate(overlays);
    expect({ status: result.status, problems: result.reports.flatMap((r) => r.problems) }).toEqual({
      status: 0,
      problems: [],
    });
    reports = result.reports;
  }, 16 * 60_000);

  it('renders the base and both overlays into objects that decode strictly', () => {
    expect(reports.map((r) => r.dir)).toEqual(overlays);
    for (const dir of overlays) {
      expect(rendered(dir).map((o) => o.kind)).toEqual(
        expect.arrayContaining([
          'ConfigMap',
          'Secret',
          'Deployment',
          'Service',
          'Ingress',
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
        ]),
      );
    }
  });

  it.each(overlays)(
    '%s: a Deployment for the API and for each task queue, probed and sized',
    (dir) => {
      const names = ['cairn-api', ...queues.map((q) => `cairn-worker-${q}`)];
      for (const name of names) {
        const container = containerOf(dir, name);
        expect({ name, requests: Object.keys(container.resources?.requests ?? {}).sort() }).toEqual(
          {
            name,
            requests: ['cpu', 'memory'],
          },
        );
        expect({ name, memoryLimit: Boolean(container.resources?.limits?.memory) }).toEqual({
          name,
          memoryLimit: true,
        });
        expect({
          name,
          probes: Boolean(container.readinessProbe && container.livenessProbe),
        }).toEqual({ name, probes: true });
      }
      // A worker is ready once it polls its queue.
      for (const queue of queues) {
        expect(containerOf(dir, `cairn-worker-${queue}`).readinessProbe?.httpGet?.path).toBe(
          '/ready',
        );
      }
      const api = containerOf(dir, 'cairn-api');
      expect(api.readinessProbe?.httpGet?.path).toBe('/health/ready');
      expect(api.livenessProbe?.httpGet?.path).toBe('/health');
      const pdbs = rendered(dir).filter((o) => o.kind === 'PodDisruptionBudget');
      expect(pdbs.map((p) => p.metadata.name).sort()).toEqual([...names].sort());
    },
  );

  it.each(overlays)(
    '%s: every worker autoscales on CPU and on its own task-queue backlog',
    (dir) => {
      for (const queue of queues) {
        const hpa = find(dir, 'HorizontalPodAutoscaler', `cairn-worker-${queue}`);
        expect(hpa.spec!.scaleTargetRef).toMatchObject({
          kind: 'Deployment',
          name: `cairn-worker-${queue}`,
        });
        expect(hpa.spec!.minReplicas).toBeLessThanOrEqual(hpa.spec!.maxReplicas!);
        const metrics = hpa.spec!.metrics ?? [];
        expect(metrics.find((m) => m.type === 'Resource')?.resource?.name).toBe('cpu');
        const backlog = metrics.find((m) => m.type === 'External')?.external?.metric;
        expect(backlog?.name).toBe('cairn_temporal_task_queue_backlog');
        expect(backlog?.selector?.matchLabels?.['task_queue']).toBe(queue);
      }
    },
  );

  it('gives the overlays their own namespace, image tag, replicas, resources and host', () => {
    const dev = containerOf('k8s/overlays/dev', 'cairn-worker-ai');
    const prod = containerOf('k8s/overlays/prod', 'cairn-worker-ai');
    expect(dev.image).toBe('registry.example.com/cairn:dev');
    expect(prod.image).toMatch(/^registry\.example\.com\/cairn:\d+\.\d+\.\d+$/);
    expect(dev.resources).not.toEqual(prod.resources);
    for (const dir of ['k8s/overlays/dev', 'k8s/overlays/prod']) {
      const namespaced = rendered(dir).filter((o) => o.kind !== 'Namespace');
      const namespaces = new Set(namespaced.map((o) => o.metadata.namespace));
      expect(namespaces.size).toBe(1);
      expect(rendered(dir).find((o) => o.kind === 'Namespace')?.metadata.name).toBe(
        [...namespaces][0],
      );
    }
    expect(find('k8s/overlays/dev', 'Deployment', 'cairn-api').spec!.replicas).toBe(1);
    expect(find('k8s/overlays/prod', 'Deployment', 'cairn-api').spec!.replicas).toBeGreaterThan(1);
    const hostOf = (dir: string) => find(dir, 'Ingress', 'cairn').spec!.rules![0].host;
    expect(hostOf('k8s/overlays/dev')).not.toBe(hostOf('k8s/overlays/prod'));
  });

  it('points production at clustered or managed endpoints, not in-namespace single nodes', () => {
    const config = find('k8s/overlays/prod', 'ConfigMap', 'cairn-config').data!;
    expect(config['NEO4J_URL']).toMatch(/^neo4j\+s:\/\//);
    expect(config['WEAVIATE_URL']).toMatch(/^https:\/\//);
    expect(config['S3_ENDPOINT']).toMatch(/^https:\/\//);
    expect(config['TEMPORAL_ADDRESS']).toMatch(/\.svc\.cluster\.local:7233$|:7233$/);
    expect(config['TEMPORAL_ADDRESS']).not.toBe(
      find('k8s/base', 'ConfigMap', 'cairn-config').data!['TEMPORAL_ADDRESS'],
    );
  });

  describe('the validator itself', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'cairn-k8s-bad-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('rejects unknown fields and dangling references', () => {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [bad.yaml]\n');
      writeFileSync(
        join(dir, 'bad.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: bad}',
          'spec:',
          '  replica: 2', // a typo of replicas
          '  selector: {matchLabels: {app: bad}}',
          '  template:',
          '    metadata: {labels: {app: bad}}',
          '    spec:',
          '      containers:',
          '        - name: c',
          '          image: x',
          '          resources: {requests: {cpu: 100m, memory: 1Gi}, limits: {memory: 1Gi}}',
          '          readinessProbe: {httpGet: {path: /health, port: http}}',
          '---',
          'apiVersion: autoscaling/v2',
          'kind: HorizontalPodAutoscaler',
          'metadata: {name: bad}',
          'spec:',
          '  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: missing}',
          '  maxReplicas: 2',
          '  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]',
          '',
        ].join('\n'),
      );
      const result = validate([dir]);
      expect(result.status).toBe(1);
      const problems = result.reports[0].problems.join('\n');
      expect(problems).toContain('unknown field "spec.replica"');
      expect(problems).toContain('probe port http is not a port of the container');
      expect(problems).toContain('scales Deployment missing');
    });
  });
});
