import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { freePorts, runEntry, type Child } from '../helpers/process';
import { seedDemo } from '../fixtures/seed';
import { mintToken } from '../../gateway/auth';
import { loadConfig } from '../../subgraphs/shared/config';

const FIRST_LOOK = readFileSync(join(__dirname, '../../schema/operations/FirstLook.graphql'), 'utf8');

async function firstLook(gatewayPort: number, customerId: string) {
  const res = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: 'POST',
    // Signed with the demo secret the processes run with: the customer reads their own data.
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken({ role: 'customer', sub: customerId }, loadConfig({}).auth)}` },
    body: JSON.stringify({ query: FIRST_LOOK, variables: { customerId } }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: unknown[] } };
}

const portEnv = ([gateway, orders, customers, payments, logistics]: number[]) => ({
  GATEWAY_PORT: String(gateway),
  ORDERS_PORT: String(orders),
  CUSTOMERS_PORT: String(customers),
  PAYMENTS_PORT: String(payments),
  LOGISTICS_PORT: String(logistics),
});

/** Customer 4 of the demo data has a lost parcel: every subgraph has something to say. */
function expectAllFourSubgraphs(body: { data?: any; errors?: unknown[] }) {
  expect(body.errors).toBeUndefined();
  const customer = body.data.customer;
  expect(customer.firstName).toEqual(expect.any(String)); // CRM
  expect(customer.orders.length).toBeGreaterThan(0); // OMS
  expect(customer.orders.flatMap((o: any) => o.payments).length).toBeGreaterThan(0); // payments
  expect(customer.orders.flatMap((o: any) => o.shipments).some((s: any) => s.exception?.kind === 'LOST')).toBe(true); // logistics
}

describe('npm start: the embedded default, with no configuration', () => {
  let child: Child;
  afterAll(() => child?.stop());

  it('serves the supergraph on the embedded database, answers the first query, and stops on SIGTERM', async () => {
    const ports = await freePorts(5);
    child = runEntry('scripts/start.ts', { ...portEnv(ports), SEED_CUSTOMERS: '40' });
    await child.waitFor(/graph ready at/);
    expect(child.output()).toMatch(/embedded demo database/);
    const { status, body } = await firstLook(ports[0], 'cus_000004');
    expect(status).toBe(200);
    expectAllFourSubgraphs(body);
    await expect(child.stop()).resolves.toBe(0);
  });
});

describe('graceful shutdown', () => {
  it('finishes the request in flight on SIGTERM, then exits 0', async () => {
    const ports = await freePorts(5);
    // Every backend call takes 2 s and the query has three dependent steps, so the request takes
    // 6 s or more: it has reached the gateway and is still in flight when the signal comes 3 s
    // after it was sent, even on a busy machine (at 700 ms, and once at 1.5 s beside a second test
    // run, a busy box closed the connection before the request had arrived, as shutdown must).
    const child = runEntry('scripts/start.ts', { ...portEnv(ports), SEED_CUSTOMERS: '10', BACKEND_LATENCY_MS: '2000', CACHE_ENABLED: 'false', BACKEND_TIMEOUTS_MS: 'default=5000', SUBGRAPH_TIMEOUTS_MS: 'default=9000', REQUEST_TIMEOUT_MS: '20000' });
    try {
      await child.waitFor(/graph ready at/);
      const sent = performance.now();
      const inFlight = firstLook(ports[0], 'cus_000004');
      await new Promise((r) => setTimeout(r, 3_000));
      child.process.kill('SIGTERM');
      const { status, body } = await inFlight;
      const tookMs = performance.now() - sent;
      expect(status).toBe(200);
      expect(tookMs).toBeGreaterThan(3_000); // answered after the signal, not before it
      expectAllFourSubgraphs(body);
      await expect(child.exited).resolves.toBe(0);
      expect(child.output()).toMatch(/shutting down/);
    } finally {
      await child.stop();
    }
  });
});

describe('deployed as five processes on PostgreSQL', () => {
  let db: TestDatabase;
  const children: Child[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.database.db, { customers: 20 });
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await db?.drop();
  });

  it('each subgraph and the gateway run on their own, and the gateway joins them', async () => {
    const ports = await freePorts(5);
    const env = { ...portEnv(ports), DATABASE_URL: db.url, LOG_LEVEL: 'info' };
    for (const name of ['orders', 'customers', 'payments', 'logistics']) children.push(runEntry(`subgraphs/${name}/index.ts`, env));
    await Promise.all(children.map((c) => c.waitFor(/subgraph ready/)));
    const gateway = runEntry('gateway/index.ts', env);
    children.push(gateway);
    await gateway.waitFor(/gateway ready/);
    const { body } = await firstLook(ports[0], 'cus_000004');
    expectAllFourSubgraphs(body);
    const ready = await fetch(`http://127.0.0.1:${ports[0]}/readyz`);
    expect(ready.status).toBe(200);
  });
});

describe('a bad configuration', () => {
  it('stops the process with a message naming the variable', async () => {
    const child = runEntry('gateway/index.ts', { GATEWAY_PORT: 'four thousand' });
    await expect(child.exited).resolves.toBe(1);
    expect(child.output()).toMatch(/GATEWAY_PORT/);
  });
});
