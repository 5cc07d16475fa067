// Deployment files (docker-compose.yml, k8s/, Caddyfile) against the one source of truth for settings,
// src/config/config.ts: a key added to the configuration must reach every way Cairn is deployed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CORE_SCHEMA, load, loadAll, mergeTag } from 'js-yaml';
import { configSchema, requiredConfigKeys } from '../../src/config/config';
import * as searchAttributes from '../../src/pipeline/search-attributes';
import { TASK_QUEUES } from '../../src/pipeline/task-queues';

const root = resolve(__dirname, '../..');
// Compose files rely on YAML merge keys (`<<: *cairn-env`), which js-yaml leaves off by default.
const yamlSchema = CORE_SCHEMA.withTags(mergeTag);

type Env = Record<string, string>;
type Service = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Env | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown };
  volumes?: string[];
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };
type K8sObject = {
  kind: string;
  metadata: { name: string };
  data?: Env;
  stringData?: Env;
  spec?: { template?: { spec: { containers: K8sContainer[]; initContainers?: K8sContainer[] } } };
};
type K8sContainer = {
  name: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
};

const allConfigKeys = Object.keys(configSchema.shape);
const queues = Object.values(TASK_QUEUES);

function readText(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function environmentOf(service: Service): Env {
  const environment = service.environment ?? {};
  if (!Array.isArray(environment)) {
    return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v ?? '')]));
  }
  return Object.fromEntries(
    environment.map((entry) => {
      const separator = entry.indexOf('=');
      return separator < 0 ? [entry, ''] : [entry.slice(0, separator), entry.slice(separator + 1)];
    }),
  );
}

/** Compose's variable interpolation, with nothing set in the shell: what a plain `up` would use. */
function interpolate(value: string, shell: Env = {}): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, operator?: string, fallback?: string, bare?: string) => {
      if (match === '$$') return '$';
      const current = shell[(braced ?? bare) as string];
      if (operator === ':-') return current ? current : (fallback ?? '');
      if (operator === '-') return current ?? fallback ?? '';
      return current ?? '';
    },
  );
}

function commandOf(service: Service): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

function dependenciesOf(service: Service): [string, string | undefined][] {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return dependsOn.map((name) => [name, undefined]);
  return Object.entries(dependsOn).map(([name, options]) => [name, options?.condition]);
}

describe('docker-compose.yml', () => {
  const compose = load(readText('docker-compose.yml'), { schema: yamlSchema }) as Compose;
  const services = compose.services;
  const api = services['api'];
  const workers = Object.entries(services).filter(([, s]) =>
    commandOf(s).includes('dist/workers/main.js'),
  );

  it('parses into services, with the API and one worker service per task queue', () => {
    expect(Object.keys(services).length).toBeGreaterThan(0);
    expect(commandOf(api)).toContain('dist/src/main.js');
    expect(workers.map(([name]) => name).sort()).toEqual(queues.map((q) => `worker-${q}`).sort());
  });

  it('sets every required configuration key for the API and every worker', () => {
    for (const [name, service] of [['api', api] as const, ...workers]) {
      const env = environmentOf(service);
      const missing = requiredConfigKeys.filter((key) => !env[key]);
      expect({ service: name, missing }).toEqual({ service: name, missing: [] });
    }
  });

  it('gives the API and the workers values that pass the configuration schema', () => {
    for (const [name, service] of [['api', api] as const, ...workers]) {
      const env = Object.fromEntries(
        Object.entries(environmentOf(service)).map(([k, v]) => [k, interpolate(v)]),
      );
      const result = configSchema.safeParse(env);
      const problems = result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
      expect({ service: name, problems }).toEqual({ service: name, problems: [] });
    }
  });

  it('makes the API listen on the container network, not loopback', () => {
    expect(environmentOf(api)['CAIRN_API_HOST']).toBe('0.0.0.0');
  });

  it('runs exactly one task queue per worker service, covering general, ai and storage', () => {
    const polled = workers.map(([, service]) => environmentOf(service)['CAIRN_WORKER_QUEUES']);
    for (const value of polled) expect(value.split(',')).toHaveLength(1);
    expect(polled.sort()).toEqual([...queues].sort());
    expect([...queues].sort()).toEqual(['ai', 'general', 'storage']);
  });

  it('depends only on services that exist, and waits for health only where there is a check', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, condition] of dependenciesOf(service)) {
        expect({ service: name, dependency, exists: dependency in services }).toEqual({
          service: name,
          dependency,
          exists: true,
        });
        if (condition === 'service_healthy') {
          expect({ dependency, healthcheck: Boolean(services[dependency].healthcheck) }).toEqual({
            dependency,
            healthcheck: true,
          });
        }
      }
    }
  });

  it('pins every pulled image to a version tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build || !service.image) continue;
      const tag = service.image.split('/').pop()!.split(':')[1] ?? '';
      expect({ service: name, pinned: /\d/.test(tag) && tag !== 'latest' }).toEqual({
        service: name,
        pinned: true,
      });
    }
  });

  it('declares every named volume it mounts', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('.') || source.startsWith('/')) continue;
        expect(declared).toContain(source);
      }
    }
  });

  describe('database roles (infra/postgres/cairn-roles.sql)', () => {
    const roleIn = (url: string) => decodeURIComponent(new URL(interpolate(url)).username);
    const postgres = services['postgres'];

    it('creates the roles with the one script the local stack and k8s run too, on a fresh volume', () => {
      expect(mountedFile(postgres, '/docker-entrypoint-initdb.d/20-cairn-roles.sh')).toBe(
        'infra/compose/postgres-init/20-cairn-roles.sh',
      );
      expect(readText('infra/compose/postgres-init/20-cairn-roles.sh')).toContain(
        '-f /cairn/cairn-roles.sql',
      );
      expect(mountedFile(postgres, '/cairn/cairn-roles.sql')).toBe(
        'infra/postgres/cairn-roles.sql',
      );
      expect(readText('infra/stack.sh')).toContain('$INFRA_DIR/postgres/cairn-roles.sql');
      // The image's superuser is not a role Cairn serves with.
      expect(environmentOf(postgres)['POSTGRES_USER']).toBe('postgres');
    });

    it('runs the API and every worker as the app role, and only the migrate step as the owner', () => {
      for (const [name, service] of [['api', api] as const, ...workers]) {
        const env = environmentOf(service);
        expect({ service: name, role: roleIn(env['DATABASE_URL']) }).toEqual({
          service: name,
          role: 'cairn_app',
        });
        expect({ service: name, owner: env['DATABASE_OWNER_URL'] }).toEqual({
          service: name,
          owner: undefined,
        });
        expect(roleIn(env['DATABASE_METRICS_URL'])).toBe('cairn_metrics');
        expect(dependenciesOf(service)).toContainEqual([
          'migrate',
          'service_completed_successfully',
        ]);
      }
      const migrate = services['migrate'];
      expect(commandOf(migrate)).toBe('node dist/src/stores/postgres/db-setup.js');
      expect(roleIn(environmentOf(migrate)['DATABASE_OWNER_URL'])).toBe('cairn');
      const owners = Object.entries(services).filter(([, service]) =>
        Object.values(environmentOf(service)).some((value) => /postgres:\/\/cairn:/.test(value)),
      );
      expect(owners.map(([name]) => name)).toEqual(['migrate']);
    });
  });

  it("registers every search attribute the workflows use, with the workflows' types", () => {
    const registered = new Map(
      environmentOf(services['temporal-search-attributes'])
        ['CAIRN_SEARCH_ATTRIBUTES'].split(/\s+/)
        .filter(Boolean)
        .map((entry) => entry.split('=') as [string, string]),
    );
    const declared = Object.values(searchAttributes) as { name: string; type: string }[];
    expect(declared.map((a) => a.name)).toEqual(
      expect.arrayContaining(['WorkspaceId', 'DocumentId', 'DomainId', 'Stage']),
    );
    for (const attribute of declared) {
      expect(registered.get(attribute.name)?.toLowerCase()).toBe(attribute.type.toLowerCase());
    }
    // The app services start only after the attributes exist.
    expect(dependenciesOf(api)).toContainEqual([
      'temporal-search-attributes',
      'service_completed_successfully',
    ]);
  });
});

describe('docker-compose.yml: Caddy, Supabase Auth, Prometheus and Grafana', () => {
  const compose = load(readText('docker-compose.yml'), { schema: yamlSchema }) as Compose;
  const services = compose.services;
  const envOf = (name: string): Env =>
    Object.fromEntries(
      Object.entries(environmentOf(services[name])).map(([k, v]) => [k, interpolate(v)]),
    );
  const api = envOf('api');
  // One-shot jobs finish; the Temporal UI image has no HTTP client to probe itself with.
  const withoutHealthcheck = ['temporal-search-attributes', 'migrate', 'temporal-ui'];

  it('runs every long-lived service from an image, with a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: Boolean(service.image) }).toEqual({ name, image: true });
      if (withoutHealthcheck.includes(name)) continue;
      expect({ name, healthcheck: Boolean(service.healthcheck?.test) }).toEqual({
        name,
        healthcheck: true,
      });
    }
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['caddy', 'auth', 'prometheus', 'grafana']),
    );
  });

  it('points Caddy at the services and ports that serve the API, Supabase Auth and the UI', () => {
    const caddy = envOf('caddy');
    expect(caddy['CAIRN_API_UPSTREAM']).toBe(`api:${api['CAIRN_API_PORT']}`);
    expect(caddy['CAIRN_AUTH_UPSTREAM']).toBe(`auth:${envOf('auth')['PORT']}`);
    expect(caddy['CAIRN_TEMPORAL_UI_UPSTREAM']).toBe('temporal-ui:8080');
    expect(envOf('temporal-ui')['TEMPORAL_UI_PUBLIC_PATH']).toBe('/temporal');
    // The proxy's body limits are the API's own.
    expect(caddy['CAIRN_MAX_UPLOAD_BYTES']).toBe(api['CAIRN_MAX_UPLOAD_BYTES']);
    expect(caddy['CAIRN_MAX_IMPORT_BYTES']).toBe(api['CAIRN_MAX_IMPORT_BYTES']);
    // Caddy listens where compose publishes it.
    const published = (services['caddy'] as { ports?: string[] }).ports ?? [];
    expect(published.map((p) => interpolate(p).split(':').pop())).toContain(
      caddy['CAIRN_CADDY_HTTPS_PORT'],
    );
  });

  it('gives Supabase Auth the database, and the API the same JWT secret, issuer and audience', () => {
    const auth = envOf('auth');
    expect(auth['GOTRUE_DB_DATABASE_URL']).toMatch(/@postgres:5432\//);
    expect(auth['GOTRUE_JWT_SECRET'].length).toBeGreaterThanOrEqual(32);
    for (const service of ['api', 'worker-general', 'worker-ai', 'worker-storage']) {
      expect({ service, secret: envOf(service)['CAIRN_AUTH_JWT_SECRET'] }).toEqual({
        service,
        secret: auth['GOTRUE_JWT_SECRET'],
      });
    }
    expect(api['CAIRN_AUTH_ISSUER']).toBe(auth['GOTRUE_JWT_ISSUER']);
    expect(api['CAIRN_AUTH_ISSUER']).toBe(auth['API_EXTERNAL_URL']);
    expect(api['CAIRN_AUTH_AUDIENCE']).toBe(auth['GOTRUE_JWT_AUD']);
    const dependsOnPostgres = dependenciesOf(services['auth']).map(([name]) => name);
    expect(dependsOnPostgres).toContain('postgres');
  });

  it('has Prometheus scrape the API, every worker service on its metrics port, and Temporal', () => {
    const prometheus = services['prometheus'];
    const command = commandOf(prometheus);
    const configFile = /--config\.file=(\S+)/.exec(command)?.[1] ?? '';
    const hostPath = mountedFile(prometheus, configFile);
    const config = load(readText(hostPath)) as {
      rule_files?: string[];
      scrape_configs: {
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const targets = config.scrape_configs.flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((c) => c.targets),
      ...(job.dns_sd_configs ?? []).flatMap((c) => c.names.map((n) => `${n}:${c.port}`)),
    ]);
    // The API's metrics port, not its public one: Caddy routes only the latter.
    expect(api['CAIRN_API_METRICS_PORT']).not.toBe('0');
    expect(api['CAIRN_API_METRICS_PORT']).not.toBe(api['CAIRN_API_PORT']);
    expect(targets).toContain(`api:${api['CAIRN_API_METRICS_PORT']}`);
    expect(targets).not.toContain(`api:${api['CAIRN_API_PORT']}`);
    for (const queue of queues) {
      const port = envOf(`worker-${queue}`)['CAIRN_WORKER_METRICS_PORT'];
      expect(targets).toContain(`worker-${queue}:${port}`);
      expect(envOf(`worker-${queue}`)['CAIRN_WORKER_METRICS_HOST']).toBe('0.0.0.0');
    }
    const temporalMetrics = envOf('temporal')['PROMETHEUS_ENDPOINT'].split(':').pop();
    expect(targets).toContain(`temporal:${temporalMetrics}`);
    // Every scraped host is a compose service.
    for (const target of targets) {
      const host = target.split(':')[0];
      if (host !== 'localhost') expect(Object.keys(services)).toContain(host);
    }
    // The alert rules are read from the mounted folder.
    for (const rules of config.rule_files ?? []) mountedFile(prometheus, rules);
    expect(config.rule_files?.length).toBeGreaterThan(0);
  });

  it('provisions Grafana with the Prometheus service and the dashboards folder, by path', () => {
    const grafana = services['grafana'];
    const provisioning = envOf('grafana')['GF_PATHS_PROVISIONING'];
    const datasources = load(
      readText(mountedFile(grafana, `${provisioning}/datasources/prometheus.yml`)),
    ) as { datasources: { type: string; url: string }[] };
    expect(datasources.datasources).toContainEqual(
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    );
    const dashboards = load(
      readText(mountedFile(grafana, `${provisioning}/dashboards/cairn.yml`)),
    ) as { providers: { type: string; options: { path: string } }[] };
    const folder = mountedFile(grafana, dashboards.providers[0].options.path);
    // The dashboard file itself (infra/grafana/cairn-dashboard.json) lives in this folder.
    expect(folder).toBe('infra/grafana');
  });
});

/** The repository path behind a path inside a service's container, through its bind mounts. */
function mountedFile(service: Service, containerPath: string): string {
  for (const volume of service.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!source.startsWith('./')) continue;
    if (containerPath === target || containerPath.startsWith(`${target}/`)) {
      return join(source.slice(2), containerPath.slice(target.length)).replace(/\/$/, '');
    }
  }
  throw new Error(`${containerPath} is not inside a bind mount of the service`);
}

describe('k8s base', () => {
  const kustomization = load(readText('k8s/base/kustomization.yaml'), { schema: yamlSchema }) as {
    resources: string[];
  };
  const objects = kustomization.resources.flatMap(
    (file) => loadAll(readText(join('k8s/base', file)), { schema: yamlSchema }) as K8sObject[],
  );
  const configMap = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === 'cairn-config',
  );
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'cairn-secrets');
  const setupSecret = objects.find(
    (o) => o.kind === 'Secret' && o.metadata.name === 'cairn-db-setup',
  );
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const containerOf = (name: string) => {
    const deployment = deployments.find((d) => d.metadata.name === name);
    if (!deployment) throw new Error(`no Deployment ${name}`);
    return deployment.spec!.template!.spec.containers[0];
  };
  const configValues: Env = { ...configMap?.data };
  const secretValues: Env = {
    ...Object.fromEntries(
      Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    ),
    ...secret?.stringData,
  };

  it('has a ConfigMap and a Secret that together set every required key', () => {
    expect(configMap).toBeDefined();
    expect(secret).toBeDefined();
    const combined = { ...configValues, ...secretValues };
    expect(requiredConfigKeys.filter((key) => !combined[key])).toEqual([]);
  });

  it('templates every configuration key exactly once across the ConfigMap and the Secrets', () => {
    const setupValues: Env = { ...setupSecret?.stringData };
    const inBoth = Object.keys(configValues).filter((key) => key in secretValues);
    expect(inBoth).toEqual([]);
    expect(
      Object.keys(setupValues).filter((key) => key in configValues || key in secretValues),
    ).toEqual([]);
    const combined = { ...configValues, ...secretValues, ...setupValues };
    expect(allConfigKeys.filter((key) => !(key in combined))).toEqual([]);
    const result = configSchema.safeParse(combined);
    expect(result.success ? [] : result.error.issues.map((i) => i.path.join('.'))).toEqual([]);
  });

  it('feeds the ConfigMap and the Secret to the API and every worker', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['cairn-api', ...queues.map((q) => `cairn-worker-${q}`)].sort(),
    );
    for (const deployment of deployments) {
      const refs = deployment.spec!.template!.spec.containers[0].envFrom ?? [];
      expect(refs).toContainEqual({ configMapRef: { name: 'cairn-config' } });
      expect(refs).toContainEqual({ secretRef: { name: 'cairn-secrets' } });
    }
  });

  it('serves as the app role; only the db-setup init container gets the owner and admin URLs', () => {
    const role = (url: string) => decodeURIComponent(new URL(url).username);
    expect(role(secretValues['DATABASE_URL'])).toBe('cairn_app');
    expect(role(secretValues['DATABASE_METRICS_URL'])).toBe('cairn_metrics');
    expect(role(setupSecret?.stringData?.['DATABASE_OWNER_URL'] ?? '')).toBe('cairn');
    expect(secretValues['DATABASE_OWNER_URL']).toBeUndefined();
    const setupRefs: string[] = [];
    for (const deployment of deployments) {
      const pod = deployment.spec!.template!.spec;
      for (const container of pod.containers) {
        expect(container.envFrom ?? []).not.toContainEqual({
          secretRef: { name: 'cairn-db-setup' },
        });
      }
      for (const init of pod.initContainers ?? []) {
        if ((init.envFrom ?? []).some((ref) => ref.secretRef?.name === 'cairn-db-setup')) {
          setupRefs.push(
            `${deployment.metadata.name}/${init.name}:${(init.command ?? []).join(' ')}`,
          );
        }
      }
    }
    expect(setupRefs).toEqual(['cairn-api/db-setup:node dist/src/stores/postgres/db-setup.js']);
    // The image carries the roles script the init container runs.
    expect(readText('Dockerfile')).toContain('COPY infra/postgres ./infra/postgres');
  });

  it('probes the API: readiness on /health/ready, liveness on /health, on its HTTP port', () => {
    const api = containerOf('cairn-api');
    const portNames = (api.ports ?? []).flatMap((p) => [p.name, p.containerPort]);
    expect(api.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(api.livenessProbe?.httpGet?.path).toBe('/health');
    expect(portNames).toContain(api.readinessProbe?.httpGet?.port);
    expect(portNames).toContain(api.livenessProbe?.httpGet?.port);
    expect(api.ports?.map((p) => String(p.containerPort))).toContain(
      configValues['CAIRN_API_PORT'],
    );
    expect(configValues['CAIRN_API_HOST']).toBe('0.0.0.0');
  });

  it('serves the API metrics on their own pod port, which Prometheus scrapes and the Ingress does not route', () => {
    const api = deployments.find((d) => d.metadata.name === 'cairn-api')!;
    const container = containerOf('cairn-api');
    const metricsPort = configValues['CAIRN_API_METRICS_PORT'];
    expect(metricsPort).not.toBe('0');
    expect(metricsPort).not.toBe(configValues['CAIRN_API_PORT']);
    expect(container.ports).toContainEqual({ name: 'metrics', containerPort: Number(metricsPort) });
    const annotations = (
      api.spec!.template as unknown as { metadata: { annotations: Record<string, string> } }
    ).metadata.annotations;
    expect(annotations['prometheus.io/port']).toBe(metricsPort);
    const ingress = objects.find((o) => o.kind === 'Ingress') as unknown as {
      spec: {
        rules: { http: { paths: { backend: { service: { port: { name: string } } } }[] } }[];
      };
    };
    const routedPorts = ingress.spec.rules.flatMap((rule) =>
      rule.http.paths.map((path) => path.backend.service.port.name),
    );
    expect(routedPorts).toEqual(['http']);
  });

  it('runs one task queue per worker Deployment', () => {
    for (const queue of queues) {
      const worker = containerOf(`cairn-worker-${queue}`);
      expect(worker.command?.join(' ')).toContain('dist/workers/main.js');
      expect(worker.env).toContainEqual({ name: 'CAIRN_WORKER_QUEUES', value: queue });
    }
  });
});

describe('Caddyfile', () => {
  // Required, not skipped: the infra scripts install Debian's caddy package.
  const caddy = spawnSync('caddy', ['version'], { encoding: 'utf8' });
  const caddyMissing =
    caddy.error || caddy.status !== 0
      ? 'caddy is not on PATH: install it (Debian: apt-get install -y caddy) to check the Caddyfile'
      : undefined;
  const caddyfileVariables = [...readText('Caddyfile').matchAll(/\{\$([A-Z0-9_]+)/g)].map(
    (m) => m[1],
  );
  let home: string;

  beforeAll(() => {
    // Caddy may write its CA and state while provisioning; keep that out of the user's home.
    home = mkdtempSync(join(tmpdir(), 'cairn-caddy-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  function runCaddy(args: string[], env: Env = {}) {
    if (caddyMissing) throw new Error(caddyMissing);
    // The Caddyfile's own defaults unless the test sets a value: drop any from the caller's shell.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !caddyfileVariables.includes(key)),
    );
    return spawnSync('caddy', args, {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...inherited, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, HOME: home, ...env },
    });
  }

  const composeCaddyEnv = (): Env => {
    const compose = load(readText('docker-compose.yml'), { schema: yamlSchema }) as Compose;
    const env = environmentOf(compose.services['caddy']);
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v)]));
  };

  it.each([
    ['local defaults', {}],
    ['docker compose settings', 'compose'],
  ] as const)('passes `caddy validate` with %s', (_label, envSource) => {
    const env = envSource === 'compose' ? composeCaddyEnv() : {};
    const result = runCaddy(['validate', '--config', 'Caddyfile', '--adapter', 'caddyfile'], env);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
  });

  it('serves HTTPS on :8443 with the internal CA, proxying the API, Supabase Auth and the Temporal UI', () => {
    const result = runCaddy(['adapt', '--config', 'Caddyfile', '--adapter', 'caddyfile']);
    expect(result.status).toBe(0);
    const adapted = JSON.stringify(JSON.parse(result.stdout));
    const http = JSON.parse(result.stdout).apps.http as {
      https_port: number;
      servers: Record<string, { listen: string[] }>;
    };
    // A listener on the https_port gets TLS from automatic HTTPS; a site address without
    // https:// would have made it plain HTTP on another port.
    expect(http.https_port).toBe(8443);
    expect(Object.values(http.servers).map((s) => s.listen)).toEqual([[':8443']]);
    expect(adapted).toContain('"issuers":[{"module":"internal"}]');
    expect(adapted).toContain('"dial":"127.0.0.1:3000"');
    expect(adapted).toContain('"dial":"127.0.0.1:8233"');
    expect(adapted).toContain('"dial":"127.0.0.1:9999"');
    // GoTrue serves at /: the /auth/v1 prefix is stripped on the way.
    expect(adapted).toContain('"strip_path_prefix":"/auth/v1"');
  });

  it("limits request bodies to the API's own defaults: imports larger, everything else the upload limit", () => {
    const result = runCaddy(['adapt', '--config', 'Caddyfile', '--adapter', 'caddyfile']);
    const routes = (
      Object.values(JSON.parse(result.stdout).apps.http.servers)[0] as {
        routes: { match?: unknown[]; handle: { handler: string; max_size?: number }[] }[];
      }
    ).routes;
    const limits = routes
      .filter((r) => r.handle[0]?.handler === 'request_body')
      .map((r) => ({ match: r.match, maxSize: r.handle[0].max_size }));
    const importPaths = { path: ['/imports', '/imports/*'] };
    expect(limits).toEqual([
      {
        match: [importPaths],
        maxSize: configSchema.shape.CAIRN_MAX_IMPORT_BYTES.parse(undefined),
      },
      {
        match: [{ not: [importPaths] }],
        maxSize: configSchema.shape.CAIRN_MAX_UPLOAD_BYTES.parse(undefined),
      },
    ]);
  });

  it('reads every address and limit from a variable that infra/env.sh sets', () => {
    const envScript = join(root, 'infra/env.sh');
    const fromEnvSh = spawnSync(
      'bash',
      [
        '-c',
        `source "${envScript}" && for v in "$@"; do [[ -v $v ]] || echo "$v"; done`,
        '_',
        ...caddyfileVariables,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
    );
    expect(fromEnvSh.status).toBe(0);
    expect(caddyfileVariables.length).toBeGreaterThan(5);
    const unset = fromEnvSh.stdout.split('\n').filter(Boolean);
    expect(unset.filter((name) => caddyfileVariables.includes(name))).toEqual([]);
  });
});
