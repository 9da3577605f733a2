import { sql } from 'kysely';
import { DEMO_WEBHOOK_SECRET } from '../../subgraphs/shared/config';
import { signEvent } from '../../subgraphs/shared/events';
import { createCustomerRecords } from '../../subgraphs/customers/records';
import { createLogger } from '../../subgraphs/shared/logger';
import { startTestStack, type TestStack } from '../helpers/stack';

const ORDER = /* GraphQL */ `query ($id: ID!) { order(id: $id) { status asOf shipments { status asOf } } }`;

/** Short-TTL caching on real Redis: fast, but never stale after a change anyone announces. */
describe('the entity cache through the gateway, on Redis', () => {
  let t: TestStack;
  beforeAll(async () => {
    // Long TTLs, so only invalidation can explain a fresh answer.
    t = await startTestStack({ customers: 10, redis: true, env: { CACHE_TTL_SECONDS: 'default=300' } });
  });
  afterAll(() => t?.close());

  const setStatus = (orderId: string, status: string) =>
    sql`update oms.orders set status = ${status} where id = ${orderId}`.execute(t.stack.database.db);
  const fetchOrder = async (id: string, headers: Record<string, string> = {}) => {
    const owner = t.data.orders.find((o) => o.id === id)!.customerId;
    const res = await fetch(t.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await t.asCustomer(owner)), ...headers },
      body: JSON.stringify({ query: ORDER, variables: { id } }),
    });
    return ((await res.json()) as any).data.order;
  };
  const postEvent = (body: string, signature = signEvent(DEMO_WEBHOOK_SECRET, body)) =>
    fetch(new URL('/events', t.stack.subgraphUrls.orders), { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature }, body });
  const orderUpdated = (orderId: string) => JSON.stringify({ id: `evt-${orderId}-${Date.now()}`, type: 'order.updated', data: { orderId } });

  it('serves a cached copy and says how old it is; Cache-Control: no-cache reads the system of record', async () => {
    const order = t.data.orders[0];
    const first = await fetchOrder(order.id);
    await setStatus(order.id, 'CANCELLED');
    const cached = await fetchOrder(order.id);
    expect(cached.status).toBe(first.status);
    expect(cached.asOf).toBe(first.asOf);
    const fresh = await fetchOrder(order.id, { 'cache-control': 'no-cache' });
    expect(fresh.status).toBe('CANCELLED');
    expect(Date.parse(fresh.asOf)).toBeGreaterThan(Date.parse(first.asOf));
  });

  it('drops what a signed change event names, so the very next answer is new', async () => {
    const order = t.data.orders[1];
    await fetchOrder(order.id);
    await setStatus(order.id, 'RETURNED');
    expect((await fetchOrder(order.id)).status).not.toBe('RETURNED');
    const res = await postEvent(orderUpdated(order.id));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ invalidated: [`order:${order.id}`] });
    expect((await fetchOrder(order.id)).status).toBe('RETURNED');
  });

  it.each([
    ['no signature', (b: string) => postEvent(b, ''), 401],
    ['a wrong signature', (b: string) => postEvent(b, signEvent('some-other-secret-entirely', b)), 401],
    ['a signature older than five minutes', (b: string) => postEvent(b, signEvent(DEMO_WEBHOOK_SECRET, b, Math.floor(Date.now() / 1000) - 600)), 401],
    ['an unknown event type', () => postEvent(JSON.stringify({ id: 'e1', type: 'order.exploded', data: {} })), 400],
    ['an event without its ids', () => postEvent(JSON.stringify({ id: 'e2', type: 'order.updated', data: { customerId: 'c' } })), 400],
    ['a body that is not JSON', () => postEvent('{nope'), 400],
  ])('refuses %s, invalidating nothing', async (_, send, status) => {
    const order = t.data.orders[2];
    const before = await fetchOrder(order.id);
    await setStatus(order.id, before.status === 'CANCELLED' ? 'DELIVERED' : 'CANCELLED');
    const res = await send(orderUpdated(order.id));
    expect(res.status).toBe(status);
    expect(((await res.json()) as any).error.code).toMatch(/UNAUTHENTICATED|BAD_REQUEST/);
    expect((await fetchOrder(order.id)).status).toBe(before.status);
    await setStatus(order.id, before.status);
  });

  it('invalidates on writes through the graph: a recorded interaction is in the next context', async () => {
    const customer = t.data.customers[3];
    const interactions = /* GraphQL */ `query ($id: ID!) { customer(id: $id) { interactions(first: 1) { id } } }`;
    const sms = await t.verifiedAgent(3, 'SMS');
    await t.query(interactions, { id: customer.id }, sms);
    const recorded = await t.operation('RecordInteraction', {
      input: { customerId: customer.id, channel: 'SMS', intent: 'OTHER', outcome: 'RESOLVED', idempotencyKey: 'cache-e2e' },
    }, sms);
    const { body } = await t.query(interactions, { id: customer.id }, sms);
    expect(body.data.customer.interactions[0].id).toBe(recorded.body.data.recordInteraction.id);
  });

  it('hears of a write through the outbox even when the writer never invalidated (it stopped after the commit)', async () => {
    const customer = t.data.customers[4];
    const interactions = /* GraphQL */ `query ($id: ID!) { customer(id: $id) { interactions(first: 1) { id } } }`;
    const portal = await t.asCustomer(customer.id);
    await t.query(interactions, { id: customer.id }, portal);
    // The graph's own records, without the cache around them: the write commits, nobody invalidates.
    const crm = await createCustomerRecords(t.stack.database.db, { system: 'sql', links: { sharesGraphCustomerIds: true }, logger: createLogger('test', 'silent') });
    const interaction = {
      id: 'int_outbox_1', customerId: customer.id, channel: 'PORTAL' as const, intent: 'OTHER' as const, outcome: 'RESOLVED' as const,
      orderId: null, lineItemIds: [], stepsTried: [], failureReason: null, sentiment: null, summary: 'written behind the cache', agentId: null, occurredAt: new Date(),
    };
    await crm.recordInteraction(interaction, 'outbox-1');
    let seen: string | undefined;
    const started = Date.now();
    while (Date.now() - started < 3_000 && seen !== interaction.id) {
      seen = (await t.query(interactions, { id: customer.id }, portal)).body.data.customer.interactions[0].id;
      if (seen !== interaction.id) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toBe(interaction.id);
    const pending = await sql<{ n: string }>`select count(*) as n from customers_records.outbox`.execute(t.stack.database.db);
    expect(Number(pending.rows[0].n)).toBe(0);
  });

  it('accepts a persisted operation by its id alone', async () => {
    const { operationId } = await import('../../gateway/persisted');
    const { loadOperations } = await import('../../schema/operations');
    const res = await fetch(t.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await t.asAgent()) },
      body: JSON.stringify({
        variables: { category: 'shoes', country: 'DE' },
        extensions: { persistedQuery: { version: 1, sha256Hash: operationId(loadOperations().ReturnPolicy) } },
      }),
    });
    expect(((await res.json()) as any).data.returnPolicy.windowDays).toBe(60);
  });
});
