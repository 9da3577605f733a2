import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken } from '../../gateway/auth';
import { loadConfig } from '../../subgraphs/shared/config';
import { freePorts, runEntry, type Child } from '../helpers/process';

const ROOT = join(__dirname, '../..');
const FIRST_LOOK = readFileSync(join(ROOT, 'schema/operations/FirstLook.graphql'), 'utf8');

/**
 * What the image runs: `npm run build`, then the compiled entry points with plain node (no tsx, no
 * TypeScript): the whole graph on the embedded default, and the gateway's own entry point beside it
 * reading the supergraph and the named operations from dist/.
 */
describe('the compiled JavaScript (dist/)', () => {
  const children: Child[] = [];
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });

  it('builds, starts with node alone, reports health and answers a query across the four subgraphs', async () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, stdio: 'pipe' });
    for (const entry of ['scripts/start.js', 'scripts/healthcheck.js', 'gateway/index.js', ...['orders', 'customers', 'payments', 'logistics'].map((n) => `subgraphs/${n}/index.js`)]) {
      expect([entry, existsSync(join(ROOT, 'dist', entry))]).toEqual([entry, true]);
    }

    const [gateway, orders, customers, payments, logistics, second] = await freePorts(6);
    const ports = { GATEWAY_PORT: String(gateway), ORDERS_PORT: String(orders), CUSTOMERS_PORT: String(customers), PAYMENTS_PORT: String(payments), LOGISTICS_PORT: String(logistics) };
    const graph = runEntry('dist/scripts/start.js', { ...ports, SEED_CUSTOMERS: '5' });
    children.push(graph);
    await graph.waitFor(/graph ready at/, 120_000);
    // The gateway's own entry point, on the subgraphs above: what a gateway container runs.
    const urls = Object.fromEntries(Object.entries({ ORDERS: orders, CUSTOMERS: customers, PAYMENTS: payments, LOGISTICS: logistics }).map(([name, port]) => [`${name}_URL`, `http://127.0.0.1:${port}/graphql`]));
    const standalone = runEntry('dist/gateway/index.js', { ...urls, GATEWAY_PORT: String(second) });
    children.push(standalone);
    await standalone.waitFor(/gateway ready/, 120_000);

    for (const port of [gateway, second]) {
      // The image's HEALTHCHECK, as Docker runs it.
      expect(() => execFileSync(process.execPath, [join(ROOT, 'dist/scripts/healthcheck.js'), String(port), '/readyz'], { stdio: 'pipe' })).not.toThrow();
      const customerId = 'cus_000004';
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken({ role: 'customer', sub: customerId }, loadConfig({}).auth)}` },
        body: JSON.stringify({ query: FIRST_LOOK, variables: { customerId } }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      expect([res.status, body.errors]).toEqual([200, undefined]);
      const first = body.data.customer;
      expect(first.firstName).toEqual(expect.any(String));
      expect(first.orders.length).toBeGreaterThan(0);
      expect(first.orders.flatMap((o: any) => o.payments).length).toBeGreaterThan(0);
      expect(first.orders.flatMap((o: any) => o.shipments).length).toBeGreaterThan(0);
    }
    // A port nothing listens on is unhealthy.
    expect(() => execFileSync(process.execPath, [join(ROOT, 'dist/scripts/healthcheck.js'), '1'], { stdio: 'pipe' })).toThrow();
    await expect(standalone.stop()).resolves.toBe(0);
  }, 300_000);
});
