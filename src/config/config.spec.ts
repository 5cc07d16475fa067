import { ConfigError, loadConfig, requiredConfigKeys } from './config';

const validEnv = {
  DATABASE_URL: 'postgres://cairn:cairn@127.0.0.1:55432/cairn',
  REDIS_URL: 'redis://127.0.0.1:56379',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
  TEMPORAL_NAMESPACE: 'cairn',
  TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
  NEO4J_URL: 'bolt://127.0.0.1:7687',
  WEAVIATE_URL: 'http://127.0.0.1:8080',
  WEAVIATE_GRPC_URL: '127.0.0.1:50051',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'cairn-admin',
  S3_SECRET_KEY: 'cairn-secret-key',
  S3_BUCKET: 'cairn',
  CAIRN_AUTH_ISSUER: 'http://127.0.0.1:9999/auth/v1',
  CAIRN_AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
};

describe('loadConfig', () => {
  it('accepts a complete environment and fills defaults', () => {
    const config = loadConfig(validEnv);
    expect(config.CAIRN_API_PORT).toBe(3000);
    expect(config.CAIRN_WORKER_QUEUES).toEqual(['general', 'ai', 'storage']);
  });

  it('lists every missing and every bad key at once', () => {
    const env = { ...validEnv, CAIRN_API_PORT: 'eighty', S3_BUCKET: 'Bad_Bucket' } as Record<
      string,
      string | undefined
    >;
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('DATABASE_URL: missing');
    expect(problems).toContain('REDIS_URL: missing');
    expect(problems).toContain('CAIRN_API_PORT');
    expect(problems).toContain('S3_BUCKET');
  });

  it('keeps the workers’ former warm-up workspace out of use', () => {
    expect(() => loadConfig({ ...validEnv, CAIRN_DEFAULT_WORKSPACE: 'cairn-warm-up' })).toThrow(
      /CAIRN_DEFAULT_WORKSPACE: cairn-warm-up is reserved/,
    );
  });

  it('takes search tuning only as a JSON object, and a blank one as none', () => {
    for (const bad of ['{"rrfK": 30', '[30]', '30', 'null']) {
      expect(() => loadConfig({ ...validEnv, CAIRN_SEARCH_TUNING: bad })).toThrow(
        /CAIRN_SEARCH_TUNING: must be a JSON object/,
      );
    }
    expect(
      loadConfig({ ...validEnv, CAIRN_SEARCH_TUNING: '{"rrfK":12}' }).CAIRN_SEARCH_TUNING,
    ).toBe('{"rrfK":12}');
    expect(loadConfig({ ...validEnv, CAIRN_SEARCH_TUNING: ' ' }).CAIRN_SEARCH_TUNING).toBe(' ');
  });

  it('rejects an unknown task queue', () => {
    expect(() => loadConfig({ ...validEnv, CAIRN_WORKER_QUEUES: 'general,gpu' })).toThrow(
      /CAIRN_WORKER_QUEUES/,
    );
  });

  it('requires an endpoint and a model when the LLM extractor is chosen', () => {
    expect(() => loadConfig({ ...validEnv, CAIRN_EXTRACTOR: 'llm' })).toThrow(
      /CAIRN_LLM_BASE_URL: required when CAIRN_EXTRACTOR=llm[\s\S]*CAIRN_LLM_MODEL/,
    );
    const config = loadConfig({
      ...validEnv,
      CAIRN_EXTRACTOR: 'llm',
      CAIRN_LLM_BASE_URL: 'http://127.0.0.1:8000/v1',
      CAIRN_LLM_MODEL: 'local-model',
    });
    expect(config.CAIRN_EXTRACTOR).toBe('llm');
  });

  it('names the keys a deployment must set', () => {
    // The JWT secret is required only without a JWKS URL: a cross-field rule, tested below.
    const alwaysRequired = Object.keys(validEnv).filter((key) => key !== 'CAIRN_AUTH_JWT_SECRET');
    expect(requiredConfigKeys.sort()).toEqual(alwaysRequired.sort());
  });

  it('needs a JWT secret of 32+ characters unless a JWKS URL is set', () => {
    expect(() => loadConfig({ ...validEnv, CAIRN_AUTH_JWT_SECRET: 'short' })).toThrow(
      /CAIRN_AUTH_JWT_SECRET: at least 32 characters/,
    );
    const withJwks = loadConfig({
      ...validEnv,
      CAIRN_AUTH_JWT_SECRET: '',
      CAIRN_AUTH_JWKS_URL: 'https://auth.example.com/auth/v1/.well-known/jwks.json',
    });
    expect(withJwks.CAIRN_AUTH_JWKS_URL).toMatch(/jwks/);
    expect(() => loadConfig({ ...validEnv, CAIRN_AUTH_JWKS_URL: 'file:///etc/keys.json' })).toThrow(
      /CAIRN_AUTH_JWKS_URL: must be an http\(s\) URL/,
    );
  });

  it('reads trusted proxies as addresses, CIDR ranges or range names, loopback by default', () => {
    expect(loadConfig(validEnv).CAIRN_TRUSTED_PROXIES).toEqual(['loopback']);
    const behindIngress = loadConfig({
      ...validEnv,
      CAIRN_TRUSTED_PROXIES: 'loopback, 10.244.0.0/16,192.0.2.7,fd00::/8',
    });
    expect(behindIngress.CAIRN_TRUSTED_PROXIES).toEqual([
      'loopback',
      '10.244.0.0/16',
      '192.0.2.7',
      'fd00::/8',
    ]);
    for (const bad of ['10.0.0.0/33', 'everyone', '10.0.0/8', '1.2.3.4/8/9']) {
      expect(() => loadConfig({ ...validEnv, CAIRN_TRUSTED_PROXIES: bad })).toThrow(
        /CAIRN_TRUSTED_PROXIES/,
      );
    }
  });

  it('reads operators as user ids, and then needs a session secret of 32+ characters', () => {
    const operator = '6F1C2A52-8F0E-4F55-9B57-0B8F7A1E2D3C';
    expect(loadConfig(validEnv).CAIRN_OPERATOR_USER_IDS).toEqual([]);
    expect(() => loadConfig({ ...validEnv, CAIRN_OPERATOR_USER_IDS: operator })).toThrow(
      /CAIRN_OPERATOR_SESSION_SECRET: at least 32 characters/,
    );
    expect(() => loadConfig({ ...validEnv, CAIRN_OPERATOR_USER_IDS: 'root@example.com' })).toThrow(
      /CAIRN_OPERATOR_USER_IDS/,
    );
    const config = loadConfig({
      ...validEnv,
      CAIRN_OPERATOR_USER_IDS: ` ${operator},`,
      CAIRN_OPERATOR_SESSION_SECRET: 'an-operator-session-secret-0123456789',
    });
    expect(config.CAIRN_OPERATOR_USER_IDS).toEqual([operator.toLowerCase()]);
  });
});
