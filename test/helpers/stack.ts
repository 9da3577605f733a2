import { startStack, type Stack } from '../../scripts/stack';
import { loadConfig } from '../../subgraphs/shared/config';
import { createDatabase, type Database } from '../../subgraphs/shared/db';
import { createLogger } from '../../subgraphs/shared/logger';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { seedDemo } from '../fixtures/seed';
import { loadOperations } from '../../schema/operations';
import { randomBytes } from 'node:crypto';
import { mintToken, type CallerClaims } from '../../gateway/auth';
import { assertNoCardNumbers, assertNoCardNumbersInDatabase, assertNoCardNumbersInRedis } from './pan';
import { createTestDatabase, TEST_REDIS_URL } from './db';

/** A fixed "now" for the conformance kits' fixtures, whose expectations never depend on the day. */
export const FIXTURE_ANCHOR = new Date('2026-11-21T00:00:00.000Z');

/** Today at 00:00 UTC: the end-to-end stacks' data is fresh relative to the real clock (return windows, active orders). */
export const todayUtc = () => new Date(new Date().toISOString().slice(0, 10));

export interface GraphQLResult<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, any> };
}

/** Who a test request is sent as: the headers a real client of that kind sends. */
export type Caller = Record<string, string>;

export interface TestStack {
  stack: Stack;
  data: DemoData;
  /** Every SQL statement sent since the last `statements.length = 0`. */
  statements: string[];
  /** The same, with when each was sent (performance.now()), since the last `timedStatements.length = 0`. */
  timedStatements: { sql: string; at: number }[];
  query<T = any>(query: string, variables?: Record<string, unknown>, as?: Caller): Promise<GraphQLResult<T>>;
  /** Runs one of the named operations in schema/operations. */
  operation<T = any>(name: string, variables?: Record<string, unknown>, as?: Caller): Promise<GraphQLResult<T>>;
  /** The customer signed in to the portal. */
  asCustomer(customerId: string): Promise<Caller>;
  /** A channel's agent; with a session token, for the customer that session verified. */
  asAgent(channel?: string, options?: { session?: string; agentId?: string }): Promise<Caller>;
  asOperations(): Promise<Caller>;
  /** The identification an identify answer gives an agent of this channel for a fixture customer (by email). */
  identify(customerIndex: number, channel?: string): Promise<string>;
  /** Identifies a fixture customer (email) and verifies them (postal code) on a channel; answers that agent with the session. */
  verifiedAgent(customerIndex: number, channel?: string, agentId?: string): Promise<Caller>;
  /** The PostgreSQL database the stack runs on (unset for the embedded one). */
  databaseUrl?: string;
  /** Every line the stack logged. */
  logLines: string[];
  /** The anchor the data was generated for. */
  anchor: Date;
  /** Another replica of the whole stack (gateway and subgraphs) on the same database and cache; closed with this one. */
  replica(): Promise<{ url: string; query: TestStack['query']; operation: TestStack['operation'] }>;
  close(): Promise<void>;
}

/**
 * The gateway and four subgraphs on free ports, over a fresh database seeded with `customers`
 * fixture customers: a real PostgreSQL database by default, the embedded PGlite with `embedded`.
 */
export async function startTestStack(
  options: {
    customers?: number;
    embedded?: boolean;
    redis?: boolean;
    env?: Record<string, string>;
    /** Writes each reference (SQL) system's data itself, as a vendor adapter's test needs (its systems hold the rest). */
    seed?: (db: Database['db'], data: DemoData) => Promise<void>;
  } = {},
): Promise<TestStack> {
  const customers = options.customers ?? 30;
  const statements: string[] = [];
  const timedStatements: { sql: string; at: number }[] = [];
  const onQuery = (sql: string) => {
    statements.push(sql);
    timedStatements.push({ sql, at: performance.now() });
  };
  let database: Database;
  let drop = async () => undefined as unknown;
  let databaseUrl: string | undefined;
  if (options.embedded) {
    database = await createDatabase({ onQuery });
  } else {
    const testDb = await createTestDatabase({ onQuery });
    database = testDb.database;
    drop = testDb.drop;
    databaseUrl = testDb.url;
  }
  const anchor = todayUtc();
  if (options.seed) await options.seed(database.db, generateDemoData({ customers, anchor }));
  else await seedDemo(database.db, { customers, anchor });
  const namespace = `test-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    GATEWAY_PORT: '0',
    ORDERS_PORT: '0',
    CUSTOMERS_PORT: '0',
    PAYMENTS_PORT: '0',
    LOGISTICS_PORT: '0',
    SEED_ON_START: 'false',
    // Tests fire requests far faster than a person; the rate-limit test sets its own.
    RATE_LIMITS: 'customer=1000,agent=5000,operations=1000',
    IN_FLIGHT_LIMITS: 'customer=1000,agent=1000,operations=1000',
    // The whole stack shares Jest's event loop here: its lag says nothing about the gateway's load.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...(options.redis ? { REDIS_URL: TEST_REDIS_URL, CACHE_NAMESPACE: namespace } : {}),
    ...options.env,
  });
  // Logged to memory, and scanned for card numbers when the stack closes.
  const logLines: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => void logLines.push(line) });
  const stack = await startStack({ config, logger, database });
  statements.length = 0;
  timedStatements.length = 0;
  const operations = loadOperations();
  const queryAt = (url: string) => async (source: string, variables?: Record<string, unknown>, as: Caller = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as },
      body: JSON.stringify({ query: source, variables }),
    });
    const text = await response.text();
    assertNoCardNumbers(text, `the answer to ${source.slice(0, 60)}`);
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResult['body'] };
  };
  const query = queryAt(stack.url);
  const operationAt = (run: ReturnType<typeof queryAt>) => (name: string, variables?: Record<string, unknown>, as?: Caller) => {
    if (!operations[name]) throw new Error(`no operation ${name} in schema/operations`);
    return run(operations[name], variables, as);
  };
  const replicas: Stack[] = [];
  const bearer = async (claims: CallerClaims) => ({ authorization: `Bearer ${await mintToken(claims, config.auth)}` });
  const operation = operationAt(query);
  const asAgent = async (channel = 'VOICE', options: { session?: string; agentId?: string } = {}) => ({
    ...(await bearer({ role: 'agent', sub: options.agentId ?? `agent-${channel.toLowerCase()}`, channel: channel as 'VOICE' })),
    ...(options.session ? { 'x-verified-session': options.session } : {}),
  });
  const data = generateDemoData({ customers, anchor });
  const identify = async (customerIndex: number, channel = 'VOICE') => {
    const customer = data.customers[customerIndex];
    const { body } = await operation('IdentifyByEmail', { email: customer.email }, await asAgent(channel));
    const match = body.data?.identifyByEmail.find((m: { caller: { id: string } }) => m.caller.id === customer.id);
    if (!match) throw new Error(`could not identify ${customer.id}: ${JSON.stringify(body)}`);
    return match.identification as string;
  };
  return {
    stack,
    anchor,
    data,
    statements,
    timedStatements,
    query,
    operation,
    asCustomer: (customerId) => bearer({ role: 'customer', sub: customerId }),
    asAgent,
    asOperations: () => bearer({ role: 'operations', sub: 'ops-1' }),
    identify,
    verifiedAgent: async (customerIndex, channel = 'VOICE', agentId) => {
      const customer = data.customers[customerIndex];
      const agent = await asAgent(channel, { agentId });
      // Identified by email, verified by a second fact: the postal code.
      const identification = await identify(customerIndex, channel);
      const input = { callerId: customer.id, identification, channel, method: 'POSTAL_CODE', answer: customer.addresses.find((a) => a.kind === 'SHIPPING')!.postalCode };
      const { body } = await operation('VerifyCaller', { input }, agent);
      if (body.data?.verifyCaller.status !== 'VERIFIED') throw new Error(`could not verify ${customer.id}: ${JSON.stringify(body)}`);
      return asAgent(channel, { agentId, session: body.data.verifyCaller.session.token });
    },
    logLines,
    databaseUrl,
    replica: async () => {
      const replica = await startStack({ config, logger, database });
      replicas.push(replica);
      const run = queryAt(replica.url);
      return { url: replica.url, query: run, operation: operationAt(run) };
    },
    close: async () => {
      for (const replica of replicas) await replica.close();
      await stack.close();
      // What the stack left behind holds no card number: every table, the Redis namespace, the logs.
      const scans = await Promise.allSettled([
        assertNoCardNumbersInDatabase(database.db),
        options.redis ? assertNoCardNumbersInRedis(TEST_REDIS_URL, config.cacheNamespace) : undefined,
      ]);
      if (options.embedded) await database.close();
      await drop();
      for (const scan of scans) if (scan.status === 'rejected') throw scan.reason;
      assertNoCardNumbers(logLines.join(''), 'the logs');
    },
  };
}
