import { startStack, type Stack } from '../../scripts/stack';
import { loadConfig } from '../../subgraphs/shared/config';
import { createDatabase, type Database } from '../../subgraphs/shared/db';
import { createLogger } from '../../subgraphs/shared/logger';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { seedDemo } from '../fixtures/seed';
import { loadOperations } from '../../schema/operations';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, TEST_REDIS_URL } from './db';

/** A fixed "now" for the conformance kits' fixtures, whose expectations never depend on the day. */
export const FIXTURE_ANCHOR = new Date('2026-11-21T00:00:00.000Z');

/** Today at 00:00 UTC: the end-to-end stacks' data is fresh relative to the real clock (return windows, active orders). */
export const todayUtc = () => new Date(new Date().toISOString().slice(0, 10));

export interface GraphQLResult<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export interface TestStack {
  stack: Stack;
  data: DemoData;
  /** Every SQL statement sent since the last `statements.length = 0`. */
  statements: string[];
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** Runs one of the named operations in schema/operations. */
  operation<T = any>(name: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** The anchor the data was generated for. */
  anchor: Date;
  close(): Promise<void>;
}

/**
 * The gateway and four subgraphs on free ports, over a fresh database seeded with `customers`
 * fixture customers: a real PostgreSQL database by default, the embedded PGlite with `embedded`.
 */
export async function startTestStack(options: { customers?: number; embedded?: boolean; redis?: boolean; env?: Record<string, string> } = {}): Promise<TestStack> {
  const customers = options.customers ?? 30;
  const statements: string[] = [];
  const onQuery = (sql: string) => void statements.push(sql);
  let database: Database;
  let drop = async () => undefined as unknown;
  if (options.embedded) {
    database = await createDatabase({ onQuery });
  } else {
    const testDb = await createTestDatabase({ onQuery });
    database = testDb.database;
    drop = testDb.drop;
  }
  const anchor = todayUtc();
  await seedDemo(database.db, { customers, anchor });
  const config = loadConfig({
    NODE_ENV: 'test',
    GATEWAY_PORT: '0',
    ORDERS_PORT: '0',
    CUSTOMERS_PORT: '0',
    PAYMENTS_PORT: '0',
    LOGISTICS_PORT: '0',
    SEED_ON_START: 'false',
    ...(options.redis ? { REDIS_URL: TEST_REDIS_URL, CACHE_NAMESPACE: `test-${randomBytes(4).toString('hex')}` } : {}),
    ...options.env,
  });
  const stack = await startStack({ config, logger: createLogger('test', 'silent'), database });
  statements.length = 0;
  const operations = loadOperations();
  const query = async (source: string, variables?: Record<string, unknown>) => {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: source, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResult['body'] };
  };
  return {
    stack,
    anchor,
    data: generateDemoData({ customers, anchor }),
    statements,
    query,
    operation: (name, variables) => {
      if (!operations[name]) throw new Error(`no operation ${name} in schema/operations`);
      return query(operations[name], variables);
    },
    close: async () => {
      await stack.close();
      if (options.embedded) await database.close();
      await drop();
    },
  };
}
