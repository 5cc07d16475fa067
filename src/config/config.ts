import { isIP } from 'node:net';
import { z } from 'zod';
import { RESERVED_WORKSPACE_ID } from '../common/ids';

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
/** An address, a CIDR range, or one of the range names Express's `trust proxy` knows. */
function isProxyRange(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

/** An address or CIDR range (no range names). */
function isNetwork(entry: string): boolean {
  return !PROXY_RANGE_NAMES.includes(entry) && isProxyRange(entry);
}

const port = z.coerce.number().int().min(1).max(65535);
const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((value) => protocols.some((protocol) => value.startsWith(`${protocol}://`)), {
      message: `must start with ${protocols.map((protocol) => `${protocol}://`).join(' or ')}`,
    });
/** Empty counts as unset, so a deployment can template the key without giving it a value. */
const optionalUrl = (protocols: string[]) =>
  z.preprocess((value) => (value === '' ? undefined : value), url(protocols).optional());
const hostPort = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port');
const queueNames = ['general', 'ai', 'storage'] as const;
const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "90s", "30m", "24h", "7d" → milliseconds. */
const duration = z
  .string()
  .regex(/^\d{1,9}(ms|s|m|h|d)$/, 'must be a duration like 90s, 30m, 24h or 7d')
  .transform((value) => {
    const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(value) as unknown as [
      string,
      string,
      keyof typeof DURATION_UNITS_MS,
    ];
    return Number(amount) * DURATION_UNITS_MS[unit];
  })
  .pipe(z.number().int().min(1_000, 'must be at least 1s'));

// Every key Cairn reads from the environment, in one place. Keys without a default are required.
export const configSchema = z.object({
  CAIRN_API_HOST: z.string().min(1).default('127.0.0.1'),
  CAIRN_API_PORT: port.default(3000),
  CAIRN_DEFAULT_WORKSPACE: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes')
    .refine((id) => id !== RESERVED_WORKSPACE_ID, `${RESERVED_WORKSPACE_ID} is reserved`)
    .default('default'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The app role (row-level security applies): every query of the API and the workers. */
  DATABASE_URL: url(['postgres', 'postgresql']),
  /**
   * The owner role, for migrations only. Unset (docker compose, k8s: a separate step migrates),
   * the process waits until the schema is current instead.
   */
  DATABASE_OWNER_URL: optionalUrl(['postgres', 'postgresql']),
  /** The metrics role: the operators' counts across workspaces. Unset, those figures are off. */
  DATABASE_METRICS_URL: optionalUrl(['postgres', 'postgresql']),
  REDIS_URL: url(['redis', 'rediss']),
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: z.string().min(1),
  TEMPORAL_UI_URL: url(['http', 'https']),
  NEO4J_URL: url(['bolt', 'neo4j', 'bolt+s', 'neo4j+s']),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  WEAVIATE_URL: url(['http', 'https']),
  WEAVIATE_GRPC_URL: hostPort,
  S3_ENDPOINT: url(['http', 'https']),
  S3_ACCESS_KEY: z.string().min(3),
  S3_SECRET_KEY: z.string().min(8),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a valid S3 bucket name'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Largest accepted upload; enforced while the request streams in. */
  CAIRN_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).default(52_428_800),
  /** Largest accepted bulk import (JSONL or archive), enforced while the request streams in. */
  CAIRN_MAX_IMPORT_BYTES: z.coerce.number().int().min(1).default(524_288_000),
  /**
   * OCR of scanned PDF pages and images (PNG, JPEG, TIFF, WebP) with Tesseract on the ai workers.
   * 'false' refuses them as having no text. Languages: Tesseract codes joined by '+' ("eng+deu"),
   * each installed as Debian's tesseract-ocr-<code>.
   */
  CAIRN_OCR_ENABLED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  CAIRN_OCR_LANGUAGES: z
    .string()
    .regex(
      /^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/,
      'Tesseract language codes joined by +, e.g. eng+deu',
    )
    .default('eng'),
  /** Knowledge extraction: the local NLP extractor, or any OpenAI-compatible chat endpoint. */
  CAIRN_EXTRACTOR: z.enum(['nlp', 'llm']).default('nlp'),
  CAIRN_LLM_BASE_URL: z.string().default(''),
  CAIRN_LLM_MODEL: z.string().default(''),
  CAIRN_LLM_API_KEY: z.string().default(''),
  /**
   * Forward passes of the embedding model the ai worker runs side by side, each on a thread of
   * its own with one core's worth of work; 0 means one per core.
   */
  CAIRN_EMBEDDING_PARALLEL_PASSES: z.coerce.number().int().min(0).max(64).default(0),
  /** The embedding model's folder: model.onnx, tokenizer.json and its configuration files. */
  CAIRN_EMBEDDING_MODEL_DIR: z.string().min(1).optional(),
  /**
   * Ranking knobs over the defaults of src/search/search-tuning.ts: a JSON object of the same
   * shape, merged one level deep, so that a benchmark can try settings without a rebuild.
   */
  CAIRN_SEARCH_TUNING: z
    .string()
    .refine(isJsonObjectOrBlank, 'must be a JSON object, e.g. {"rrfK":30}')
    .optional(),
  /**
   * Secrets kept at rest (webhook signing secrets) are sealed to this X25519 public key (32
   * bytes, base64url); the API needs only it. '' disables webhooks. See docs/webhooks.md.
   */
  CAIRN_SECRETS_PUBLIC_KEY: z
    .string()
    .regex(/^([A-Za-z0-9_-]{43})?$/, 'an X25519 public key: 32 bytes in base64url')
    .default(''),
  /** Its private half: only the workers, which sign webhook deliveries, need it. */
  CAIRN_SECRETS_PRIVATE_KEY: z
    .string()
    .regex(/^([A-Za-z0-9_-]{43})?$/, 'an X25519 private key: 32 bytes in base64url')
    .default(''),
  /**
   * Networks (CIDR, comma-separated) that calls to user-given URLs (webhooks) may reach although
   * they are private, loopback or link-local; empty: public addresses only.
   */
  CAIRN_OUTBOUND_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().refine(isNetwork, 'each entry: an IP address or a CIDR range'))),
  /** Supabase Auth tokens: HS256 with this shared secret, unless a JWKS URL is set. */
  CAIRN_AUTH_JWT_SECRET: z.string().default(''),
  /** When set, tokens must be RS256/ES256 signed by a key of this JWKS (and HS256 is refused). */
  CAIRN_AUTH_JWKS_URL: z.string().default(''),
  /** The `iss` Supabase Auth puts in its tokens (its external URL, e.g. https://host/auth/v1). */
  CAIRN_AUTH_ISSUER: z.string().min(1),
  CAIRN_AUTH_AUDIENCE: z.string().min(1).default('authenticated'),
  /** The web console signs in with Supabase Auth when both are set; the anon key is public. */
  CAIRN_SUPABASE_URL: z.union([z.literal(''), url(['http', 'https'])]).default(''),
  CAIRN_SUPABASE_ANON_KEY: z.string().default(''),
  /** Prometheus, linked from the console's operator page; '' for no link. */
  CAIRN_PROMETHEUS_URL: z.union([z.literal(''), url(['http', 'https'])]).default(''),
  /**
   * Jaeger's UI, where the console and the CLI link a request's trace ({url}/trace/<X-Trace-Id>);
   * '' for no links.
   */
  CAIRN_JAEGER_UI_URL: z.union([z.literal(''), url(['http', 'https'])]).default(''),
  /**
   * Jaeger's HTTP query API, with its base path (e.g. http://127.0.0.1:16686/jaeger), which the
   * console's trace view reads through GET /operator/traces (operators only); '' turns it off.
   */
  CAIRN_JAEGER_QUERY_URL: z.union([z.literal(''), url(['http', 'https'])]).default(''),
  /**
   * The shared secret Alertmanager sends as a Bearer token to POST /operator/alerts; '' closes
   * the receiver. At least 32 characters when set.
   */
  CAIRN_ALERT_WEBHOOK_SECRET: z.union([z.literal(''), z.string().min(32)]).default(''),
  /** The built web console (npm run web:build); '' means <checkout>/dist/web. */
  CAIRN_CONSOLE_DIR: z.string().default(''),
  /**
   * Operators: the Supabase Auth user ids (comma-separated) who may open the Temporal Web UI
   * through Caddy (GET /operator/authorize). Empty: nobody.
   */
  CAIRN_OPERATOR_USER_IDS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().uuid('each operator must be a user id (UUID)'))),
  /** Signs operators' Temporal UI session cookies; at least 32 characters when operators are set. */
  CAIRN_OPERATOR_SESSION_SECRET: z.string().default(''),
  /**
   * Proxies whose X-Forwarded-For the API believes (for per-IP rate limits): comma-separated
   * addresses or CIDR ranges, or Express's names loopback, linklocal, uniquelocal. Behind a
   * Kubernetes ingress, the range its pods come from.
   */
  CAIRN_TRUSTED_PROXIES: z
    .string()
    .default('loopback')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine(
            isProxyRange,
            'each entry: an IP address, a CIDR range, or loopback / linklocal / uniquelocal',
          ),
      ),
    ),
  /**
   * Where the API serves GET /metrics: 0 on its own port (local development), else on this
   * separate port only, which production keeps off the public ingress (Prometheus scrapes it).
   */
  CAIRN_API_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /**
   * API processes serving the one port (node:cluster): 0 = one per core. `npm start` runs one
   * per core; in Kubernetes keep 1 and scale replicas instead (docs/deployment.md).
   */
  CAIRN_API_PROCESSES: z.coerce.number().int().min(0).max(256).default(1),
  /** Live event streams (documents' and imports' SSE) one user or API key may hold open at once. */
  CAIRN_MAX_EVENT_STREAMS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Token buckets per user and per IP, shared by all API instances through Redis. */
  CAIRN_RATE_LIMIT_UPLOAD_BURST: z.coerce.number().int().min(1).default(30),
  CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: z.coerce.number().min(0.001).default(120),
  CAIRN_RATE_LIMIT_SEARCH_BURST: z.coerce.number().int().min(1).default(60),
  CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE: z.coerce.number().min(0.001).default(600),
  /**
   * Where this worker process serves GET /metrics (0: nowhere). Temporal's own exporter of the
   * process listens on 127.0.0.1 at this port + 1 and is served through it, so each worker
   * process takes two consecutive ports; several processes on one machine need distinct values.
   */
  CAIRN_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65534).default(9464),
  /** Interface of the worker's metrics server: 0.0.0.0 where Prometheus scrapes from elsewhere. */
  CAIRN_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** A domain waiting for review emits a reminder after this long without a decision. */
  CAIRN_DOMAIN_REVIEW_REMINDER: duration.default('24h'),
  /** A domain waiting for review expires after this long without a decision (per draft). */
  CAIRN_DOMAIN_REVIEW_TIMEOUT: duration.default('7d'),
  CAIRN_WORKER_QUEUES: z
    .string()
    .default(queueNames.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(queueNames)).min(1)),
});

export type CairnConfig = z.infer<typeof configSchema>;

// Cross-field rules: tokens need a key to be checked with; an LLM extractor needs an endpoint
// and a model.
const checkedSchema = configSchema.superRefine((config, context) => {
  if (config.CAIRN_AUTH_JWKS_URL) {
    if (!/^https?:\/\//.test(config.CAIRN_AUTH_JWKS_URL)) {
      context.addIssue({
        code: 'custom',
        path: ['CAIRN_AUTH_JWKS_URL'],
        message: 'must be an http(s) URL',
      });
    }
  } else if (config.CAIRN_AUTH_JWT_SECRET.length < 32) {
    context.addIssue({
      code: 'custom',
      path: ['CAIRN_AUTH_JWT_SECRET'],
      message: 'at least 32 characters (or set CAIRN_AUTH_JWKS_URL)',
    });
  }
  if (
    config.CAIRN_OPERATOR_USER_IDS.length > 0 &&
    config.CAIRN_OPERATOR_SESSION_SECRET.length < 32
  ) {
    context.addIssue({
      code: 'custom',
      path: ['CAIRN_OPERATOR_SESSION_SECRET'],
      message: 'at least 32 characters when CAIRN_OPERATOR_USER_IDS names operators',
    });
  }
  if (config.CAIRN_EXTRACTOR !== 'llm') return;
  for (const key of ['CAIRN_LLM_BASE_URL', 'CAIRN_LLM_MODEL'] as const) {
    if (!config[key]) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: 'required when CAIRN_EXTRACTOR=llm',
      });
    }
  }
});
export type TaskQueueName = (typeof queueNames)[number];

/** Keys that have no default: a deployment must set each of them. */
export const requiredConfigKeys: string[] = Object.entries(configSchema.shape)
  .filter(([, schema]) => !schema.isOptional() && !(schema instanceof z.ZodDefault))
  .map(([key]) => key);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isJsonObjectOrBlank(raw: string): boolean {
  if (raw.trim() === '') return true;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Reads and validates the whole configuration, reporting every bad or missing key at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CairnConfig {
  const result = checkedSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.');
    const missing = issue.code === 'invalid_type' && env[key] === undefined;
    return missing ? `${key}: missing` : `${key}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}
