import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestStack, type TestStack } from '../helpers/stack';

const FIRST_LOOK = readFileSync(join(__dirname, '../../schema/operations/FirstLook.graphql'), 'utf8');

/** Which system a statement went to: each system's tables live in their own schema (the outbox relay's polls aside). */
function statementsBySystem(statements: string[]) {
  const count = (schema: string) => statements.filter((s) => s.includes(`"${schema}".`) && !s.includes('"outbox"')).length;
  return {
    crm: count('crm'), customers_records: count('customers_records'), oms: count('oms'), payments: count('payments'), payments_records: count('payments_records'), logistics: count('logistics'),
    logistics_records: count('logistics_records'),
  };
}

describe('the supergraph through the gateway, on PostgreSQL', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 40 });
  });
  afterAll(() => t?.close());

  it("answers the README's first query with data from all four subgraphs", async () => {
    // Customer 4 has a lost parcel: CRM, OMS, payments and logistics all contribute.
    const customer = t.data.customers[3];
    const { status, body } = await t.query(FIRST_LOOK, { customerId: customer.id }, await t.asCustomer(customer.id));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const c = body.data.customer;
    expect(c).toMatchObject({ id: customer.id, firstName: customer.firstName, locale: customer.locale });
    const expectedOrders = t.data.orders.filter((o) => o.customerId === customer.id).sort((a, b) => +b.placedAt - +a.placedAt);
    expect(c.orders.map((o: { number: string }) => o.number)).toEqual(expectedOrders.slice(0, 3).map((o) => o.number));
    const lost = c.orders.find((o: any) => o.shipments.some((s: any) => s.exception?.kind === 'LOST'));
    expect(lost).toBeDefined();
    expect(lost.lineItems.length).toBeGreaterThan(0);
    expect(lost.payments[0].status).toBe('CAPTURED');
    expect(c.interactions.length).toBeGreaterThan(0);
  });

  it('walks from an order number to its customer, payments and parcels', async () => {
    const order = t.data.orders.find((o) => t.data.disputes.some((d) => d.orderId === o.id))!;
    const { body } = await t.query(
      /* GraphQL */ `query ($n: String!) { orderByNumber(number: $n) {
        id customer { id email } payments { status } disputes { status isOpen reason } shipments { status } interactions { intent } } }`,
      { n: `#${order.number.toLowerCase().replace('-', ' ')}` },
      await t.asCustomer(order.customerId),
    );
    expect(body.errors).toBeUndefined();
    const customer = t.data.customers.find((c) => c.id === order.customerId)!;
    expect(body.data.orderByNumber).toMatchObject({ id: order.id, customer: { id: customer.id, email: customer.email } });
    expect(body.data.orderByNumber.disputes).toEqual([expect.objectContaining({ status: 'NEEDS_RESPONSE', isOpen: true })]);
  });

  it('walks from a tracking number and from a refund back through the graph', async () => {
    const refund = t.data.refunds.find((r) => r.returnId)!;
    // A parcel of the same customer: each caller walks their own data.
    const shipment = t.data.shipments.find((s) => s.customerId === refund.customerId)!;
    const { body } = await t.query(
      /* GraphQL */ `query ($tn: String!, $refund: ID!) {
        shipmentByTrackingNumber(trackingNumber: $tn) { id order { number customer { firstName } } lineItems { sku } }
        refund(id: $refund) { status amount { amountMinor currency } return { rma status items { quantity lineItem { sku } } labels { status } } order { number } }
      }`,
      { tn: shipment.trackingNumber.toLowerCase(), refund: refund.id },
      await t.asCustomer(refund.customerId),
    );
    expect(body.errors).toBeUndefined();
    const order = t.data.orders.find((o) => o.id === shipment.orderId)!;
    expect(body.data.shipmentByTrackingNumber.order.number).toBe(order.number);
    expect(body.data.shipmentByTrackingNumber.lineItems).toHaveLength(shipment.lineItemIds.length);
    const ret = t.data.returns.find((r) => r.id === refund.returnId)!;
    expect(body.data.refund).toMatchObject({ status: refund.status, amount: refund.amount, return: { rma: ret.rma } });
    expect(body.data.refund.return.items[0].lineItem.sku).toBeDefined();
    expect(body.data.refund.return.labels).toHaveLength(1);
  });

  it('answers unknown ids with null, not an error', async () => {
    const { status, body } = await t.query(
      /* GraphQL */ `{ customer(id: "cus_nope") { id } order(id: "ord_nope") { id } orderByNumber(number: "not a number") { id } shipment(id: "x") { id } payment(id: "x") { id } }`,
      undefined,
      await t.asCustomer(t.data.customers[0].id),
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { customer: null, order: null, orderByNumber: null, shipment: null, payment: null } });
  });

  it('refuses an out-of-range page size with BAD_USER_INPUT', async () => {
    const { body } = await t.query(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { orders(first: 101) { id } } }`, {
      id: t.data.customers[0].id,
    }, await t.asCustomer(t.data.customers[0].id));
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].message).toMatch(/first must be between 0 and 100/);
  });

  it('costs one SQL statement per subgraph hop, however many orders the customer has', async () => {
    const ordersOf = (id: string) => t.data.orders.filter((o) => o.customerId === id).length;
    const many = t.data.customers.find((c) => ordersOf(c.id) >= 5)!;
    const one = t.data.customers.find((c) => ordersOf(c.id) === 1)!;
    expect(many).toBeDefined();
    expect(one).toBeDefined();
    const query = /* GraphQL */ `query ($id: ID!) { customer(id: $id) { firstName orders(first: 10) {
      number lineItems { sku } returns { rma } payments { status } refunds { status } shipments { status events { status } } } } }`;

    const run = async (id: string) => {
      t.statements.length = 0;
      const { body } = await t.query(query, { id }, await t.asCustomer(id));
      expect(body.errors).toBeUndefined();
      const ours = t.statements.filter((s) => !s.includes('"outbox"') && !/^(begin|commit|rollback)$/i.test(s.trim()));
      return { orders: body.data.customer.orders.length, bySystem: statementsBySystem(ours), total: ours.length };
    };
    const forMany = await run(many.id);
    const forOne = await run(one.id);
    expect(forMany.orders).toBeGreaterThanOrEqual(5);
    // crm: customer; customers_records: none, the reference CRM shares the graph's customer ids (no
    // identity lookup) and a profile is no interaction; oms: orders, then their line items and
    // returns (one statement, beside the orders); payments: payments, refunds, and beside the
    // refunds the ones the graph expects for returns (its own records); logistics: shipments, events,
    // and beside the shipments the ones the graph mapped to the orders itself (its own records).
    expect(forMany.bySystem).toEqual({ crm: 1, customers_records: 0, oms: 2, payments: 2, payments_records: 1, logistics: 2, logistics_records: 1 });
    expect(forMany.total).toBe(9);
    expect(forOne.bySystem).toEqual(forMany.bySystem);
  });
});

describe('a per-turn context whose every backend call is slow', () => {
  // Each backend call waits LATENCY ms before its statement is sent, and nothing is cached: the
  // statements of one turn fall in waves, one per dependent step, however many calls each step makes.
  const LATENCY = 250;
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      customers: 10,
      env: { BACKEND_LATENCY_MS: String(LATENCY), CACHE_ENABLED: 'false', BACKEND_TIMEOUTS_MS: 'default=3000', SUBGRAPH_TIMEOUTS_MS: 'default=5000', REQUEST_TIMEOUT_MS: '10000' },
    });
  });
  afterAll(() => t?.close());

  /** The turn's statements in waves (one per dependent step), each wave the systems it reached. */
  async function wavesOfTurn(agent: Awaited<ReturnType<TestStack['verifiedAgent']>>) {
    t.timedStatements.length = 0;
    const started = Date.now();
    const { body } = await t.operation('CustomerContext', {}, agent);
    const took = Date.now() - started;
    expect(body.errors).toBeUndefined();
    expect(body.data.verifiedCustomer.activeOrders.length).toBeGreaterThan(0);
    expect(body.data.verifiedCustomer.brief).toEqual(expect.any(String));
    const ours = t.timedStatements.filter((s) => !s.sql.includes('"outbox"') && !/^(begin|commit|rollback)$/i.test(s.sql.trim()));
    const waves: { at: number; systems: Set<string> }[] = [];
    for (const { sql, at } of ours) {
      if (!waves.length || at - waves[waves.length - 1].at > LATENCY / 2) waves.push({ at, systems: new Set() });
      const system = /"(crm|customers_records|oms|payments|logistics)"\./.exec(sql)?.[1];
      if (system) waves[waves.length - 1].systems.add(system);
    }
    return { waves: waves.map((w) => [...w.systems].sort()), took };
  }

  it('reads its backends in as many steps as the data depends on, the brief and the audit entry adding none', async () => {
    // The operation's first turn: the plan learns which fetches need only the verified customer.
    const first = await wavesOfTurn(await t.verifiedAgent(3));
    expect(first.waves).toEqual([
      ['crm', 'customers_records'], // the customer; the session and (read ahead) the handoffs and interactions
      ['oms', 'payments'], // the orders with their line items and returns; balances and disputes
      ['logistics', 'payments'], // each order's shipments, payments, refunds and disputes
      // (the brief's round reads nothing: the subgraph answers it from the turn's first round)
      ['customers_records'], // the audit log's entry, before the answer leaves
    ]);
    // Any later turn of it, for another customer: what is keyed by the verified customer goes out
    // at once, and the audit entry is written while the orders' parcels and payments are read.
    const later = await wavesOfTurn(await t.verifiedAgent(4));
    expect(later.waves).toEqual([
      ['crm', 'customers_records', 'oms', 'payments'],
      ['customers_records', 'logistics', 'payments'],
    ]);
    // Two backend delays and the hops between: less than the first turn's four steps, with room for a busy machine.
    expect(later.took).toBeLessThan(4 * LATENCY);
    // Written early, the entry still is one per customer and turn, and names the brief the later round read.
    const audit = await t.query(`query ($id: ID) { auditLog(customerId: $id) { actorKind fields } }`, { id: t.data.customers[4].id }, await t.asOperations());
    expect(audit.body.data.auditLog).toEqual([{ actorKind: 'agent', fields: expect.arrayContaining(['brief', 'firstName']) }]);
  });
});
