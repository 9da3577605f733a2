import { generateDemoData } from '../../test/fixtures/demo-data';
import { writeDemoData } from '../../test/fixtures/seed';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db';
import type { Viewer } from '../shared/auth';
import { createMemoryCache } from '../shared/cache';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createSubgraphSource } from '../shared/subgraph';
import { sqlOrderAdapter } from './adapters/sql';
import { createServer, ordersSubgraph } from './server';

// As a brand would start it: its OMS numbers orders CT-2026-000123 (and, for an older shop, #1001).
const config = loadConfig({ NODE_ENV: 'test', ORDERS_SQL_ORDER_NUMBER_FORMATS: 'CT-YYYY-######, \\#####+' });
const logger = createLogger('test', 'silent');
const year = new Date().getUTCFullYear();
const agent: Viewer = { kind: 'agent', id: 'voice-bot', channel: 'VOICE' };

describe('order numbers as the OMS adapter is configured (sql adapter, ORDERS_SQL_ORDER_NUMBER_FORMATS)', () => {
  let db: TestDatabase;
  let server: ReturnType<typeof createServer>;
  const data = generateDemoData({ customers: 3 });
  data.orders.forEach((o, i) => (o.number = `CT-2026-${String(i + 123).padStart(6, '0')}`));
  const order = data.orders[0];

  const run = async (query: string, variables: Record<string, unknown>, viewer: Viewer) => {
    const response = await server.apollo.executeOperation({ query, variables }, { contextValue: server.createContext(viewer) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult;
  };
  const identify = (orderNumber: string) =>
    run(/* GraphQL */ `query ($n: String!) { identifyByOrderNumber(orderNumber: $n) { caller { id } order { number status } } }`, { n: orderNumber }, agent);

  beforeAll(async () => {
    db = await createTestDatabase();
    const { source } = await createSubgraphSource(ordersSubgraph, { config, db: db.database.db, cache: createMemoryCache(1_000), logger });
    await writeDemoData(db.database.db, data, ['orders']);
    server = createServer({ config, source, logger });
    await server.apollo.start();
  });
  afterAll(async () => {
    await server?.apollo.stop();
    await db?.drop();
  });

  it('finds the order from what a caller says, asking the OMS for the number as it writes it', async () => {
    for (const said of [order.number, `#${order.number.toLowerCase().replace(/-/g, ' ')}`, order.number.slice(3)]) {
      const result = await identify(said);
      expect(result.errors).toBeUndefined();
      expect(result.data?.identifyByOrderNumber).toEqual([{ caller: { id: order.customerId }, order: { number: order.number, status: order.status } }]);
    }
    const byNumber = await run(/* GraphQL */ `query ($n: String!) { orderByNumber(number: $n) { id number } }`, { n: 'ct2026 000123' }, { kind: 'customer', id: order.customerId });
    expect(byNumber.data?.orderByNumber).toEqual({ id: order.id, number: order.number });
  });

  it('answers a number of the second format that no order has with no match', async () => {
    expect((await identify('1001')).data?.identifyByOrderNumber).toEqual([]);
  });

  it('refuses what fits no configured format with BAD_USER_INPUT, giving the first format as an example and not echoing the input', async () => {
    for (const said of ['NW-100234', 'my order from tuesday']) {
      const result = await identify(said);
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0].message).toBe(`That is not an order number (they look like CT-${year}-100234)`);
    }
  });

  it('fails at start-up on a bad format, naming the variable and what is wrong', async () => {
    const bad = loadConfig({ NODE_ENV: 'test', ORDERS_SQL_ORDER_NUMBER_FORMATS: 'CT-YY-######' });
    await expect(createSubgraphSource(ordersSubgraph, { config: bad, db: db.database.db, cache: createMemoryCache(10), logger })).rejects.toThrow(
      'adapter "sql" config: ORDERS_SQL_ORDER_NUMBER_FORMATS: "CT-YY-######": "YY" at position 4: a year is YYYY',
    );
  });

  it('keeps the demo format when the setting is absent', () => {
    expect(sqlOrderAdapter.config.parse({})).toMatchObject({ orderNumberFormats: ['NW-######+'], schema: 'oms' });
  });
});
