import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('runs with no configuration: embedded database, in-process cache, loopback ports 4000-4004, demo seed on', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.host).toBe('127.0.0.1');
    expect(config.gatewayPort).toBe(4000);
    expect(config.subgraphs.orders).toEqual({ port: 4001, url: 'http://127.0.0.1:4001/graphql', adapter: 'sql', adapterSettings: {} });
    expect(config.subgraphs.logistics.url).toBe('http://127.0.0.1:4004/graphql');
    expect(config.seedOnStart).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('uses real servers when their URLs are set, and then does not seed unless asked', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/app', REDIS_URL: 'redis://cache:6379' });
    expect(config.databaseUrl).toBe('postgres://u@db:5432/app');
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.seedOnStart).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/app', SEED_ON_START: 'true' }).seedOnStart).toBe(true);
  });

  it('takes subgraph URLs for deployments where each runs elsewhere', () => {
    const config = loadConfig({ PAYMENTS_URL: 'http://payments.internal:8080/graphql' });
    expect(config.subgraphs.payments.url).toBe('http://payments.internal:8080/graphql');
  });

  it('reads a backend latency as a fixed delay or a range each call draws from', () => {
    expect(loadConfig({})).toMatchObject({ backendLatencyMs: 0, backendLatencyMaxMs: 0 });
    expect(loadConfig({ BACKEND_LATENCY_MS: '80' })).toMatchObject({ backendLatencyMs: 80, backendLatencyMaxMs: 80 });
    expect(loadConfig({ BACKEND_LATENCY_MS: '80-250' })).toMatchObject({ backendLatencyMs: 80, backendLatencyMaxMs: 250 });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['GATEWAY_PORT', 'abc'],
    ['ORDERS_PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['NODE_ENV', 'staging'],
    ['SEED_ON_START', 'maybe'],
    ['DATABASE_POOL_MAX', '0'],
    ['RATE_LIMITS', 'admin=5'],
    ['RATE_LIMITS', 'customer=lots'],
    ['PERSISTED_ONLY_ROLES', 'agent,robot'],
    ['GATEWAY_SECRET', 'too-short'],
    ['BACKEND_LATENCY_MS', '250-80'],
    ['BACKEND_LATENCY_MS', '80-20000'],
    ['BACKEND_LATENCY_MS', 'slow'],
  ])('refuses a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ GATEWAY_PORT: 'x', REDIS_URL: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.split(':')[0]).sort()).toEqual(['GATEWAY_PORT', 'REDIS_URL']);
    }
  });

  it('refuses production without its own secrets, and never lets it use the demo ones or run without auth', () => {
    const secrets = { WEBHOOK_SECRET: 'w'.repeat(20), GATEWAY_SECRET: 'g'.repeat(40) };
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET[\s\S]*GATEWAY_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets, AUTH_DISABLED: 'true' })).toThrow(/AUTH_DISABLED/);
    const production = loadConfig({ NODE_ENV: 'production', ...secrets });
    expect(production.auth.jwtSecret).toBeUndefined();
    expect(production.gatewaySecret).toBe(secrets.GATEWAY_SECRET);
    expect(loadConfig({ NODE_ENV: 'production', ...secrets, AUTH_JWT_SECRET: 'a'.repeat(40) }).auth.jwtSecret).toBe('a'.repeat(40));
  });

  it('reads rate limits by role on top of the defaults, and the roles held to the allow-list', () => {
    const config = loadConfig({ RATE_LIMITS: 'customer=5', PERSISTED_ONLY_ROLES: 'agent, customer' });
    expect(config.auth.rateLimits).toEqual({ customer: 5, agent: 2000, operations: 50 });
    expect(config.auth.persistedOnlyRoles).toEqual(['agent', 'customer']);
  });

  it('names which methods may verify a caller after each identification, and refuses a pair of the same class', () => {
    expect(loadConfig({}).verification.methodsAfter.EMAIL).toEqual(['POSTAL_CODE', 'PHONE_LAST4', 'DATE_OF_BIRTH']);
    expect(loadConfig({ VERIFICATION_METHODS: 'PHONE=DATE_OF_BIRTH' }).verification.methodsAfter).toEqual({ PHONE: ['DATE_OF_BIRTH'] });
    expect(() => loadConfig({ VERIFICATION_METHODS: 'EMAIL=EMAIL+POSTAL_CODE' })).toThrow(/VERIFICATION_METHODS: EMAIL cannot be verified with EMAIL/);
    expect(() => loadConfig({ VERIFICATION_METHODS: 'PHONE=PHONE_LAST4' })).toThrow(/PHONE cannot be verified with PHONE_LAST4/);
    expect(() => loadConfig({ VERIFICATION_METHODS: 'FACE=POSTAL_CODE' })).toThrow(ConfigError);
  });
});

describe('CORS_ORIGINS', () => {
  it('allows no origin by default, and exact origins when listed', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://portal.example.com, http://localhost:5173' }).corsOrigins).toEqual(['https://portal.example.com', 'http://localhost:5173']);
  });

  it.each(['portal.example.com', 'https://portal.example.com/', 'https://portal.example.com/app', '*'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
  });
});
