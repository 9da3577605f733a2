import { z } from 'zod';
import { adapterSettingsFromEnv } from './adapter';
import { isRedisUrl, REDIS_URL_FORMS } from './redis';

/** The four systems of record; also the subgraph names in the supergraph. */
export const SUBGRAPHS = ['orders', 'customers', 'payments', 'logistics'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** The kinds of caller a token can name (see subgraphs/shared/auth.ts). */
export const ROLES = ['customer', 'agent', 'operations'] as const;
export type Role = (typeof ROLES)[number];

// 0 asks the OS for a free port (tests).
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes'));

/** "a=1,b=2" → { a: 1, b: 2 }: positive numbers by name, each name checked. */
const numbersByName = (fallback: string, validName: (name: string) => boolean, message: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const entries = v.split(',').map((pair) => pair.trim().split('='));
      if (entries.some(([name, n]) => !validName(name ?? '') || !(Number(n) > 0))) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return Object.freeze(Object.fromEntries(entries.map(([name, n]) => [name, Number(n)]))) as Readonly<Record<string, number>>;
    });

/** "default=800,logistics=1200": milliseconds by subgraph name, `default` (else `fallback`) for the rest. */
const msBySubgraph = (fallback: number) =>
  numbersByName(`default=${fallback}`, (name) => name === 'default' || SUBGRAPHS.includes(name as SubgraphName), `expected subgraph=milliseconds pairs, e.g. default=${fallback},logistics=${fallback * 1.5}`)
    .transform((ms) => (name: SubgraphName) => ms[name] ?? ms.default ?? fallback);

/** CACHE_TTL_SECONDS unless set: catalogue data (line items, the return policy) changes rarely. */
export const DEFAULT_CACHE_TTLS = 'default=30,LineItem=300,OrderLineItems=300,ReturnPolicy=300';
/** Requests per second per caller, by role; RATE_LIMITS overrides some or all. */
const DEFAULT_RATE_LIMITS: Readonly<Record<Role, number>> = { customer: 20, agent: 2000, operations: 50 };
/**
 * Requests of one caller in flight at once at a gateway, by role; IN_FLIGHT_LIMITS overrides some or
 * all. A portal customer needs a few at a time; an agent token carries a platform's many calls, yet
 * never every place the gateway has (MAX_IN_FLIGHT).
 */
const DEFAULT_IN_FLIGHT_LIMITS: Readonly<Record<Role, number>> = { customer: 8, agent: 48, operations: 8 };

/** What identified a caller, what may verify them: a second fact, never one of the same class. */
export const IDENTIFIED_BY = ['ORDER_NUMBER', 'EMAIL', 'PHONE'] as const;
export const VERIFICATION_METHODS = ['POSTAL_CODE', 'PHONE_LAST4', 'EMAIL', 'DATE_OF_BIRTH'] as const;
type IdentifiedBy = (typeof IDENTIFIED_BY)[number];
type VerificationMethod = (typeof VERIFICATION_METHODS)[number];
/** A verification method of the same class as an identification: knowing one is knowing the other. */
const SAME_CLASS: Readonly<Record<IdentifiedBy, readonly VerificationMethod[]>> = { ORDER_NUMBER: [], EMAIL: ['EMAIL'], PHONE: ['PHONE_LAST4'] };
/** VERIFICATION_METHODS unless set. */
export const DEFAULT_VERIFICATION_METHODS = 'ORDER_NUMBER=POSTAL_CODE+PHONE_LAST4+EMAIL+DATE_OF_BIRTH,EMAIL=POSTAL_CODE+PHONE_LAST4+DATE_OF_BIRTH,PHONE=POSTAL_CODE+EMAIL+DATE_OF_BIRTH';

/** "EMAIL=POSTAL_CODE+DATE_OF_BIRTH,…": the methods allowed after each identification; a same-class pair is refused. */
const verificationPairs = z
  .string()
  .default(DEFAULT_VERIFICATION_METHODS)
  .transform((v, ctx) => {
    const pairs: Partial<Record<IdentifiedBy, VerificationMethod[]>> = {};
    for (const entry of v.split(',').map((e) => e.trim()).filter(Boolean)) {
      const [by, methods = ''] = entry.split('=');
      const allowed = methods.split('+').map((m) => m.trim());
      if (!IDENTIFIED_BY.includes(by as IdentifiedBy) || !allowed.every((m) => VERIFICATION_METHODS.includes(m as VerificationMethod))) {
        ctx.addIssue({ code: 'custom', message: `expected IDENTIFIED=METHOD+METHOD pairs (${IDENTIFIED_BY.join(', ')} = ${VERIFICATION_METHODS.join(', ')}), e.g. EMAIL=POSTAL_CODE+DATE_OF_BIRTH` });
        return z.NEVER;
      }
      const same = allowed.filter((m) => SAME_CLASS[by as IdentifiedBy].includes(m as VerificationMethod));
      if (same.length) {
        ctx.addIssue({ code: 'custom', message: `${by} cannot be verified with ${same.join(', ')}: that is the fact the caller was identified by` });
        return z.NEVER;
      }
      pairs[by as IdentifiedBy] = allowed as VerificationMethod[];
    }
    return Object.freeze(pairs) as Readonly<Partial<Record<IdentifiedBy, readonly VerificationMethod[]>>>;
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Unset: /metrics answers any scraper (the cluster's network policy is the fence); set: only `Bearer <token>`.
  // Read by the OpenTelemetry SDK itself (telemetry.ts), before any configuration: listed to be checked and documented.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  METRICS_TOKEN: z.string().trim().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  // Loopback by default: subgraphs are reached through the gateway, never directly.
  HOST: z.string().min(1).default('127.0.0.1'),
  GATEWAY_PORT: port(4000),
  ORDERS_PORT: port(4001),
  CUSTOMERS_PORT: port(4002),
  PAYMENTS_PORT: port(4003),
  LOGISTICS_PORT: port(4004),
  ORDERS_URL: optionalUrl,
  CUSTOMERS_URL: optionalUrl,
  PAYMENTS_URL: optionalUrl,
  LOGISTICS_URL: optionalUrl,
  ORDERS_ADAPTER: z.string().min(1).default('sql'),
  CUSTOMERS_ADAPTER: z.string().min(1).default('sql'),
  PAYMENTS_ADAPTER: z.string().min(1).default('sql'),
  LOGISTICS_ADAPTER: z.string().min(1).default('sql'),
  // Unset: the embedded PGlite database (demo only). Set: a real PostgreSQL server.
  DATABASE_URL: optionalUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  // Embedded database directory; unset keeps it in memory and reseeds at every start.
  PGLITE_DATA_DIR: z.string().optional(),
  // Unset: an in-process LRU cache. Set: Redis.
  REDIS_URL: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(z.string().refine(isRedisUrl, `the forms are ${REDIS_URL_FORMS}`).optional())
    .optional(),
  CACHE_MAX_ENTRIES: z.coerce.number().int().min(100).default(50_000),
  // Prefix of every Redis key and the invalidation channel: deployments (and test runs) sharing a Redis stay apart.
  CACHE_NAMESPACE: z.string().regex(/^[A-Za-z0-9:_-]{1,40}$/).default('ccg'),
  // Adds this much latency to every backend call: for measuring how the graph behaves with slow backends.
  // A range (80-250) draws each call's delay from it, as a SaaS API's latency varies call to call.
  BACKEND_LATENCY_MS: z
    .string()
    .regex(/^\d{1,5}(-\d{1,5})?$/, 'expected milliseconds (80) or a range (80-250)')
    .default('0')
    .transform((text) => text.split('-').map(Number))
    .refine(([min, max = min]) => max >= min && max <= 10_000, 'expected min-max, max at most 10000'),
  // Off: every read goes to the systems of record (the benchmark's baseline).
  CACHE_ENABLED: flag,
  // Seconds each cached type lives. Writes and signed change events invalidate exactly; the TTL only
  // bounds how stale a change a backend failed to announce can be.
  CACHE_TTL_SECONDS: numbersByName(DEFAULT_CACHE_TTLS, (type) => /^[A-Za-z]+$/.test(type), 'expected Type=seconds pairs, e.g. default=10,Order=5'),
  // Signs backends' change events (HMAC-SHA256). The default is for the embedded demo only.
  WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // Seed demo data at start when the database is empty (on by default only for the embedded database).
  SEED_ON_START: flag,
  SEED_CUSTOMERS: z.coerce.number().int().min(0).max(1_000_000).default(200),
  // Verification: how long a verified session lasts, and how many wrong answers lock a customer for how long.
  VERIFIED_SESSION_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  VERIFICATION_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  VERIFICATION_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  // Where a phone number without a country code may come from (ISO 3166-1 alpha-2, comma-separated).
  PHONE_REGIONS: z
    .string()
    .default('DE,AT,CH,FR,BE,NL,ES,IT,GB,IE,US')
    .transform((v) => v.split(',').map((r) => r.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'each region must be an ISO 3166-1 alpha-2 code')).min(1)),
  // Where return labels (PDFs) are served from.
  RETURN_LABEL_BASE_URL: z.url().default('https://labels.example.com'),
  // The composed supergraph the gateway serves; the committed schema/supergraph.graphql by default.
  SUPERGRAPH_PATH: z.string().min(1).optional(),
  // Callers' JWTs: an HMAC secret (HS256) or a JWKS URL (production), checked for issuer, audience and expiry.
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  AUTH_JWKS_URL: optionalUrl,
  AUTH_ISSUER: z.string().min(1).default('customer-context-graph'),
  AUTH_AUDIENCE: z.string().min(1).default('customer-context-graph'),
  // How long a forwarded caller (the signed x-ccg-viewer header) is good for: seconds, not a key to keep.
  VIEWER_TTL_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  // Which verification methods may follow each way a caller was identified (never a fact of the same class).
  VERIFICATION_METHODS: verificationPairs,
  // Signs what the gateway forwards to subgraphs (the caller's claims) and verified-session tokens.
  GATEWAY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  // Benchmark only: the gateway trusts every caller (refused with NODE_ENV=production).
  AUTH_DISABLED: flag,
  // Requests per second per caller, by role (a token bucket per gateway replica).
  RATE_LIMITS: numbersByName(
    Object.entries(DEFAULT_RATE_LIMITS).map(([role, rps]) => `${role}=${rps}`).join(','),
    (role) => ROLES.includes(role as Role),
    `expected role=requests-per-second pairs for ${ROLES.join(', ')}`,
  ),
  // Requests of one caller in flight at once, by role (per gateway replica): one token cannot hold every place.
  IN_FLIGHT_LIMITS: numbersByName(
    Object.entries(DEFAULT_IN_FLIGHT_LIMITS).map(([role, n]) => `${role}=${n}`).join(','),
    (role) => ROLES.includes(role as Role),
    `expected role=requests pairs for ${ROLES.join(', ')}`,
  ),
  // Deadlines: the longest a request may take at the gateway (a client may ask for less with
  // X-Deadline-Ms), each subgraph fetch, and each backend call, by subgraph name.
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  SUBGRAPH_TIMEOUTS_MS: msBySubgraph(1_000),
  BACKEND_TIMEOUTS_MS: msBySubgraph(800),
  // How old a cached copy may be to stand in, marked stale, for a backend or subgraph that fails.
  STALE_IF_ERROR_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  // Requests the gateway works on at once; past it, it refuses at once (503, Retry-After).
  MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(64),
  // ...and while its event loop lags more than this (ms, p99 over half a second); 0 turns it off.
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  // How long a client has to send a request's headers and body; a request only takes a place in
  // MAX_IN_FLIGHT once its body is in, so slow senders hold a socket this long at most, never a place.
  REQUEST_READ_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  // Connections one client address may hold open at the gateway; more are closed at once. 0 turns it off.
  MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(512),
  // Origins a browser may call the gateway from (CORS), comma-separated, exact ("https://shop.example.com").
  // None by default: pages the gateway serves itself are same-origin and need none.
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((o) => URL.canParse(o) && new URL(o).origin === o, 'each origin must be scheme://host[:port], without a path or a trailing slash'))),
  // Roles that may only run the named operations of schema/operations (the allow-list), e.g. "agent".
  PERSISTED_ONLY_ROLES: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(ROLES))),
  // AI agents (gateway/agents): the MCP server at /mcp and the voice platforms' tool webhooks at /tools/<platform>.
  // The public URL of /mcp, as clients reach it (RFC 9728 metadata); unset: from each request's Host.
  MCP_RESOURCE_URL: optionalUrl,
  // The OAuth authorization servers (issuer URLs, comma-separated) that issue the tokens /mcp accepts.
  MCP_AUTHORIZATION_SERVERS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.url())),
  // Each platform's shared secret; a platform whose secret is unset has no route (404).
  VAPI_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  RETELL_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  PARLOA_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  // How long each platform waits for a tool's answer (ms); the gateway answers within it (capped at REQUEST_TIMEOUT_MS).
  VOICE_DEADLINES_MS: numbersByName('vapi=20000,retell=10000,parloa=4000', (name) => ['vapi', 'retell', 'parloa'].includes(name), 'expected platform=milliseconds pairs for vapi, retell, parloa'),
  // The agent token each platform's calls act as (its role, id and channel); set with the platform's secret.
  VAPI_AGENT_TOKEN: z.string().min(1).optional(),
  RETELL_AGENT_TOKEN: z.string().min(1).optional(),
  PARLOA_AGENT_TOKEN: z.string().min(1).optional(),
  // The agent desk page at /desk/ (desk/): on by default everywhere but production, where a brand opts in.
  DESK_ENABLED: flag,
});

export type Env = z.input<typeof envSchema>;

/** Every variable the services read; docker-compose.yml and the README are checked against it. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  /** What GET /metrics asks scrapers for, if anything (METRICS_TOKEN). */
  metricsToken?: string;
  host: string;
  gatewayPort: number;
  /**
   * Per subgraph: its port and URL, its adapter (<NAME>_ADAPTER) and that adapter's settings, the
   * <NAME>_<ADAPTER>_* variables (validated by the adapter's own schema when it is created; never logged).
   */
  subgraphs: Record<SubgraphName, { port: number; url: string; adapter: string; adapterSettings: Readonly<Record<string, string>> }>;
  databaseUrl?: string;
  databasePoolMax: number;
  pgliteDataDir?: string;
  redisUrl?: string;
  cacheMaxEntries: number;
  cacheEnabled: boolean;
  cacheNamespace: string;
  backendLatencyMs: number;
  /** The upper end of BACKEND_LATENCY_MS's range (backendLatencyMs when it is one figure). */
  backendLatencyMaxMs: number;
  cacheTtlSeconds: Readonly<Record<string, number>>;
  webhookSecret: string;
  seedOnStart: boolean;
  seedCustomers: number;
  supergraphPath?: string;
  returnLabelBaseUrl: string;
  verification: {
    sessionTtlSeconds: number;
    maxFailures: number;
    windowSeconds: number;
    /** The methods VerifyCaller accepts after each way of identifying; none for an identification not named. */
    methodsAfter: Readonly<Partial<Record<IdentifiedBy, readonly VerificationMethod[]>>>;
  };
  phoneRegions: string[];
  auth: {
    disabled: boolean;
    jwtSecret?: string;
    jwksUrl?: string;
    issuer: string;
    audience: string;
    rateLimits: Readonly<Record<Role, number>>;
    inFlightLimits: Readonly<Record<Role, number>>;
    persistedOnlyRoles: readonly Role[];
  };
  gatewaySecret: string;
  /** Origins browsers may call the gateway from (CORS_ORIGINS); none by default. */
  corsOrigins: readonly string[];
  /** Whether the gateway serves the agent desk at /desk/. */
  deskEnabled: boolean;
  /** How long a forwarded caller header is good for (ms). */
  viewerTtlMs: number;
  /** AI agents: the MCP server and the voice platforms' webhooks (gateway/agents). */
  agents: {
    resourceUrl?: string;
    authorizationServers: readonly string[];
    /** Per platform: its secret, the agent token its calls act as, and how long it waits (ms). Unset secret: no route. */
    voice: Readonly<Record<'vapi' | 'retell' | 'parloa', { secret?: string; agentToken?: string; deadlineMs: number }>>;
  };
  resilience: {
    requestTimeoutMs: number;
    subgraphTimeoutMs: (name: SubgraphName) => number;
    backendTimeoutMs: (name: SubgraphName) => number;
    staleIfErrorSeconds: number;
    maxInFlight: number;
    maxEventLoopDelayMs: number;
    requestReadTimeoutMs: number;
    /** Infinity when off. */
    maxConnectionsPerAddress: number;
  };
}

/** For the embedded demo only; production must set WEBHOOK_SECRET. */
export const DEMO_WEBHOOK_SECRET = 'demo-webhook-secret-not-for-production';
/** For the embedded demo only (printed at start); production must set AUTH_JWT_SECRET or AUTH_JWKS_URL. */
export const DEMO_AUTH_JWT_SECRET = 'demo-auth-secret-not-for-production-0123456789';
/** For the embedded demo only; production must set GATEWAY_SECRET. */
export const DEMO_GATEWAY_SECRET = 'demo-gateway-secret-not-for-production-01234';

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '(env)')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    const missing = [
      !e.WEBHOOK_SECRET && 'WEBHOOK_SECRET: required when NODE_ENV=production (the default is a public demo secret)',
      !e.GATEWAY_SECRET && 'GATEWAY_SECRET: required when NODE_ENV=production (the default is a public demo secret)',
      e.AUTH_DISABLED && 'AUTH_DISABLED: never allowed when NODE_ENV=production',
    ].filter((m): m is string => Boolean(m));
    if (missing.length) throw new ConfigError(missing);
  }
  const urlHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  const subgraph = (name: SubgraphName, port: number, url: string | undefined, adapter: string) => ({
    port,
    url: url ?? `http://${urlHost}:${port}/graphql`,
    adapter,
    adapterSettings: Object.freeze(adapterSettingsFromEnv(name, adapter, env)),
  });
  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    host: e.HOST,
    gatewayPort: e.GATEWAY_PORT,
    subgraphs: Object.freeze({
      orders: subgraph('orders', e.ORDERS_PORT, e.ORDERS_URL, e.ORDERS_ADAPTER),
      customers: subgraph('customers', e.CUSTOMERS_PORT, e.CUSTOMERS_URL, e.CUSTOMERS_ADAPTER),
      payments: subgraph('payments', e.PAYMENTS_PORT, e.PAYMENTS_URL, e.PAYMENTS_ADAPTER),
      logistics: subgraph('logistics', e.LOGISTICS_PORT, e.LOGISTICS_URL, e.LOGISTICS_ADAPTER),
    }),
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    pgliteDataDir: e.PGLITE_DATA_DIR || undefined,
    redisUrl: e.REDIS_URL,
    cacheMaxEntries: e.CACHE_MAX_ENTRIES,
    cacheEnabled: e.CACHE_ENABLED ?? true,
    cacheNamespace: e.CACHE_NAMESPACE,
    backendLatencyMs: e.BACKEND_LATENCY_MS[0],
    backendLatencyMaxMs: e.BACKEND_LATENCY_MS[1] ?? e.BACKEND_LATENCY_MS[0],
    cacheTtlSeconds: e.CACHE_TTL_SECONDS,
    webhookSecret: e.WEBHOOK_SECRET ?? DEMO_WEBHOOK_SECRET,
    seedOnStart: e.SEED_ON_START ?? !e.DATABASE_URL,
    seedCustomers: e.SEED_CUSTOMERS,
    supergraphPath: e.SUPERGRAPH_PATH,
    returnLabelBaseUrl: e.RETURN_LABEL_BASE_URL.replace(/\/$/, ''),
    verification: Object.freeze({
      sessionTtlSeconds: e.VERIFIED_SESSION_TTL_SECONDS,
      maxFailures: e.VERIFICATION_MAX_FAILURES,
      windowSeconds: e.VERIFICATION_WINDOW_SECONDS,
      methodsAfter: e.VERIFICATION_METHODS,
    }),
    phoneRegions: Object.freeze(e.PHONE_REGIONS) as string[],
    auth: Object.freeze({
      disabled: e.AUTH_DISABLED ?? false,
      // Never the demo secret in production: the gateway then refuses to start without one of the two.
      jwtSecret: e.AUTH_JWKS_URL || e.NODE_ENV === 'production' ? e.AUTH_JWT_SECRET : (e.AUTH_JWT_SECRET ?? DEMO_AUTH_JWT_SECRET),
      jwksUrl: e.AUTH_JWKS_URL,
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      rateLimits: Object.freeze({ ...DEFAULT_RATE_LIMITS, ...e.RATE_LIMITS }),
      inFlightLimits: Object.freeze({ ...DEFAULT_IN_FLIGHT_LIMITS, ...e.IN_FLIGHT_LIMITS }),
      persistedOnlyRoles: Object.freeze(e.PERSISTED_ONLY_ROLES),
    }),
    gatewaySecret: e.GATEWAY_SECRET ?? DEMO_GATEWAY_SECRET,
    corsOrigins: Object.freeze(e.CORS_ORIGINS),
    deskEnabled: e.DESK_ENABLED ?? e.NODE_ENV !== 'production',
    viewerTtlMs: e.VIEWER_TTL_SECONDS * 1000,
    agents: Object.freeze({
      resourceUrl: e.MCP_RESOURCE_URL,
      authorizationServers: Object.freeze(e.MCP_AUTHORIZATION_SERVERS),
      voice: Object.freeze({
        vapi: { secret: e.VAPI_SECRET, agentToken: e.VAPI_AGENT_TOKEN, deadlineMs: e.VOICE_DEADLINES_MS.vapi ?? 20_000 },
        retell: { secret: e.RETELL_API_KEY, agentToken: e.RETELL_AGENT_TOKEN, deadlineMs: e.VOICE_DEADLINES_MS.retell ?? 10_000 },
        parloa: { secret: e.PARLOA_SECRET, agentToken: e.PARLOA_AGENT_TOKEN, deadlineMs: e.VOICE_DEADLINES_MS.parloa ?? 4_000 },
      }),
    }),
    resilience: Object.freeze({
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      subgraphTimeoutMs: e.SUBGRAPH_TIMEOUTS_MS,
      backendTimeoutMs: e.BACKEND_TIMEOUTS_MS,
      staleIfErrorSeconds: e.STALE_IF_ERROR_SECONDS,
      maxInFlight: e.MAX_IN_FLIGHT,
      maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
      requestReadTimeoutMs: e.REQUEST_READ_TIMEOUT_MS,
      maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS || Infinity,
    }),
  });
}

/** For a process entry point: the config, or a message naming the bad variables and exit code 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
