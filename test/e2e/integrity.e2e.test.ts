import { sql } from 'kysely';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type GraphQLResult, type TestStack } from '../helpers/stack';

const codeOf = (body: GraphQLResult['body']) => body.errors?.[0]?.extensions?.code;
const customerOf = (t: TestStack, scenario: (typeof ORDER_SCENARIOS)[number]) => t.data.customers[ORDER_SCENARIOS.indexOf(scenario)];
const ordersOf = (t: TestStack, customerId: string) => t.data.orders.filter((o) => o.customerId === customerId);
const itemsOf = (t: TestStack, orderId: string) => t.data.lineItems.filter((i) => i.orderId === orderId);
const count = async (t: TestStack, table: string, customerId: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where customer_id = ${customerId}`.execute(t.stack.database.db)).rows[0].n);

/** The value at a response path, or undefined where the path leaves the data. */
const at = (data: unknown, path: readonly (string | number)[]) => path.reduce<any>((node, key) => (node == null ? undefined : node[key]), data);

/** Every error with a path points at data that is null (at the path or above it): no null without its reason. */
function expectEveryNullExplained(body: GraphQLResult['body']) {
  expect(body.extensions?.valueCompletion).toBeUndefined();
  for (const error of body.errors ?? []) {
    expect(error.extensions?.code).toEqual(expect.any(String));
    const path = error.path ?? [];
    expect(path.some((_, i) => at(body.data, path.slice(0, i + 1)) === null)).toBe(true);
  }
}

describe('integrity through the gateway, on PostgreSQL', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 24 });
  });
  afterAll(() => t?.close());

  describe('writes name only what is the customer’s', () => {
    const escalation = (customerId: string, orderId: string, lineItemIds: string[], key: string) => ({
      input: { customerId, fromChannel: 'PORTAL', toChannel: 'VOICE', intent: 'RETURN', orderId, lineItemIds, stepsTried: ['selected items'], failureReason: 'final sale', summary: 'wants to return', idempotencyKey: key },
    });
    const interaction = (customerId: string, orderId: string, lineItemIds: string[], key: string) => ({
      input: { customerId, channel: 'PORTAL', intent: 'RETURN', outcome: 'ABANDONED', orderId, lineItemIds, summary: 'gave up', idempotencyKey: key },
    });

    it.each([
      ['another customer’s order', 'other', 'NOT_FOUND', 'orderId'],
      ['an order that does not exist', 'missing', 'NOT_FOUND', 'orderId'],
      ['line items of another of their orders', 'foreign-items', 'BAD_USER_INPUT', 'lineItemIds'],
    ])('refuses %s in Escalate and RecordInteraction, writing nothing', async (_, kind, code, argument) => {
      const me = t.data.customers[20];
      const [mine, second] = ordersOf(t, me.id);
      const theirs = ordersOf(t, t.data.customers[0].id)[0];
      const [orderId, items] =
        kind === 'other' ? [theirs.id, []] : kind === 'missing' ? ['ord_999999_9', []] : [mine.id, [itemsOf(t, second.id)[0].id]];
      const portal = await t.asCustomer(me.id);
      const before = [await count(t, 'customers_records.handoffs', me.id), await count(t, 'customers_records.interactions', me.id)];
      for (const [name, variables] of [
        ['Escalate', escalation(me.id, orderId, items, `esc-${kind}`)],
        ['RecordInteraction', interaction(me.id, orderId, items, `rec-${kind}`)],
      ] as const) {
        const { body } = await t.operation(name, variables, portal);
        expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code, argument }) })]);
        // Nothing of the other order is named back.
        expect(body.errors![0].message).not.toContain(orderId);
      }
      expect([await count(t, 'customers_records.handoffs', me.id), await count(t, 'customers_records.interactions', me.id)]).toEqual(before);
      // The customer's own profile stays readable.
      const profile = await t.operation('MyProfile', { customerId: me.id }, portal);
      expect(profile.body.errors).toBeUndefined();
      expect(profile.body.data.customer.id).toBe(me.id);
    });

    it('accepts the customer’s own order and items', async () => {
      const me = t.data.customers[20];
      const order = ordersOf(t, me.id)[0];
      const { body } = await t.operation('Escalate', escalation(me.id, order.id, itemsOf(t, order.id).map((i) => i.id), 'esc-own'), await t.asCustomer(me.id));
      expect(body.errors).toBeUndefined();
      expect(body.data.escalate).toMatchObject({ status: 'OPEN' });
    });
  });

  describe('a reference a backend no longer resolves', () => {
    const me = () => t.data.customers[21];
    beforeAll(async () => {
      // Written before its order was deleted upstream (or before writes were checked): the OMS knows neither.
      const db = t.stack.database.db;
      const now = new Date();
      await sql`insert into customers_records.interactions (id, customer_id, channel, intent, outcome, order_id, line_item_ids, steps_tried, occurred_at)
        values ('int_dangling', ${me().id}, 'PORTAL', 'RETURN', 'ESCALATED', 'ord_999999_9', ${['li_999999_9_1']}, '{}', ${now})`.execute(db);
      await sql`insert into customers_records.handoffs (id, customer_id, status, from_channel, to_channel, intent, order_id, line_item_ids, steps_tried, failure_reason, summary, escalation_id, created_at)
        values ('ho_dangling', ${me().id}, 'OPEN', 'PORTAL', 'VOICE', 'RETURN', 'ord_999999_9', ${['li_999999_9_1']}, '{}', 'final sale', 'wants to return', 'int_dangling', ${now})`.execute(db);
    });

    it('nulls only itself, never the customer, and says so in errors', async () => {
      const { body } = await t.query(
        /* GraphQL */ `query ($id: ID!) { customer(id: $id) { id interactions(first: 3) { id order { number } lineItems { title } } } }`,
        { id: me().id },
        await t.asCustomer(me().id),
      );
      expect(body.data.customer.id).toBe(me().id);
      const dangling = body.data.customer.interactions.find((i: { id: string }) => i.id === 'int_dangling');
      expect(dangling).toEqual({ id: 'int_dangling', order: null, lineItems: [null] });
      const index = body.data.customer.interactions.indexOf(dangling);
      expect(body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: ['customer', 'interactions', index, 'order'], extensions: expect.objectContaining({ code: 'NOT_FOUND', service: 'orders' }) }),
          expect.objectContaining({ path: ['customer', 'interactions', index, 'lineItems', 0], extensions: expect.objectContaining({ code: 'NOT_FOUND', service: 'orders' }) }),
        ]),
      );
      expectEveryNullExplained(body);
    });

    it('is explained even in an answer that has another error (where the gateway drops its own completion notes)', async () => {
      const { body } = await t.query(
        /* GraphQL */ `query ($id: ID!) { customerDataExport(customerId: $id) { customerId } customer(id: $id) { interactions(first: 3) { id order { number } } } }`,
        { id: me().id },
        await t.asCustomer(me().id),
      );
      // A customer may not export: FORBIDDEN, beside the customer's own data.
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['customerDataExport'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]));
      const index = body.data.customer.interactions.findIndex((i: { id: string }) => i.id === 'int_dangling');
      expect(body.data.customer.interactions[index].order).toBeNull();
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['customer', 'interactions', index, 'order'], extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]));
      expectEveryNullExplained(body);
    });

    it('leaves the voice agent the handoff’s id to accept, and explains every null of every named read', async () => {
      const agent = await t.verifiedAgent(21, 'VOICE');
      const context = await t.operation('CustomerContext', {}, agent);
      const handoff = context.body.data.verifiedCustomer.openHandoffs.find((h: { id: string }) => h.id === 'ho_dangling');
      expect(handoff).toMatchObject({ id: 'ho_dangling', order: null, lineItems: [null] });
      expect(context.body.data.verifiedCustomer.brief).toContain('ho_dangling');
      expectEveryNullExplained(context.body);
      expect(context.body.errors?.length).toBeGreaterThan(0);

      const portal = await t.asCustomer(me().id);
      for (const [name, variables] of [
        ['FirstLook', { customerId: me().id }],
        ['MyProfile', { customerId: me().id }],
        ['MyOrders', { customerId: me().id }],
        ['MyReturns', { customerId: me().id }],
      ] as const) {
        const { body } = await t.operation(name, variables, portal);
        expect(body.data.customer.id).toBe(me().id);
        expectEveryNullExplained(body);
      }
      const accepted = await t.operation('AcceptHandoff', { input: { handoffId: 'ho_dangling', agentId: 'voice-bot', channel: 'VOICE' } }, agent);
      expect(accepted.body.data.acceptHandoff.status).toBe('ACCEPTED');
    });
  });

  describe('open handoffs', () => {
    it('joins an escalation about the same order and intent, and shows every open handoff to every channel', async () => {
      const customer = t.data.customers[22];
      const order = ordersOf(t, customer.id)[0];
      const [first, second] = itemsOf(t, order.id);
      const portal = await t.asCustomer(customer.id);
      const escalated = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from customers_records.interactions where customer_id = ${customer.id} and outcome = 'ESCALATED'`.execute(t.stack.database.db)).rows[0].n);
      const before = await escalated();
      const escalate = (intent: string, items: string[], key: string, steps: string[]) =>
        t.operation('Escalate', {
          input: { customerId: customer.id, fromChannel: 'PORTAL', toChannel: 'VOICE', intent, orderId: order.id, lineItemIds: items, stepsTried: steps, failureReason: `reason ${key}`, summary: `summary ${key}`, idempotencyKey: key },
        }, portal);
      const a = await escalate('RETURN', [first.id], 'join-a', ['opened order']);
      const b = await escalate('RETURN', second ? [second.id] : [first.id], 'join-b', ['opened order', 'chose items']);
      expect(b.body.data.escalate.id).toBe(a.body.data.escalate.id);
      const other = await escalate('REFUND_STATUS', [], 'join-c', ['checked refund']);
      expect(other.body.data.escalate.id).not.toBe(a.body.data.escalate.id);
      expect(await count(t, 'customers_records.handoffs', customer.id)).toBe(2);
      // Three escalations, each recorded as a contact.
      expect(await escalated()).toBe(before + 3);

      const agent = await t.verifiedAgent(22, 'VOICE');
      const { body } = await t.operation('CustomerContext', {}, agent);
      expect(body.errors).toBeUndefined();
      const open = body.data.verifiedCustomer.openHandoffs;
      expect(open.map((h: { id: string }) => h.id)).toEqual([other.body.data.escalate.id, a.body.data.escalate.id]);
      expect(open[1]).toMatchObject({ stepsTried: ['opened order', 'chose items'], failureReason: 'reason join-b', summary: 'summary join-b' });
      expect(open[1].lineItems.map((i: { id: string }) => i.id)).toEqual([...new Set([first.id, (second ?? first).id])]);
      for (const h of open) expect(body.data.verifiedCustomer.brief).toContain(h.id);
      const profile = await t.operation('MyProfile', { customerId: customer.id }, portal);
      expect(profile.body.data.customer.openHandoffs.map((h: { id: string }) => h.id)).toEqual(open.map((h: { id: string }) => h.id));

      // Each can be taken and closed; the other stays listed until it is.
      const resolve = (id: string) =>
        t.operation('ResolveHandoff', { input: { handoffId: id, agentId: 'voice-bot', channel: 'VOICE', outcome: 'RESOLVED', summary: 'done', idempotencyKey: `res-${id}` } }, agent);
      expect((await resolve(open[0].id)).body.data.resolveHandoff.status).toBe('RESOLVED');
      const after = await t.operation('CustomerContext', {}, agent);
      expect(after.body.data.verifiedCustomer.openHandoffs.map((h: { id: string }) => h.id)).toEqual([open[1].id]);
    });
  });

  describe('the portal navigates with the named operations alone', () => {
    it('lists orders with their ids, opens one, checks eligibility, starts a return and finds it', async () => {
      const customer = customerOf(t, 'delivered');
      const portal = await t.asCustomer(customer.id);
      const list = await t.operation('MyOrders', { customerId: customer.id, locale: 'en-US' }, portal);
      expect(list.body.errors).toBeUndefined();
      const orders = list.body.data.customer.orders;
      expect(orders.map((o: { id: string }) => o.id).sort()).toEqual(ordersOf(t, customer.id).map((o) => o.id).sort());
      const delivered = orders.find((o: { status: string }) => o.status === 'DELIVERED');
      const page = await t.operation('OrderPage', { orderId: delivered.id }, portal);
      expect(page.body.data.order.number).toBe(delivered.number);
      const eligibility = await t.operation('ReturnEligibility', { orderId: delivered.id }, portal);
      const item = eligibility.body.data.order.returnEligibility.find((e: { eligible: boolean }) => e.eligible)?.lineItem;
      expect(item).toBeDefined();
      const started = await t.operation('InitiateReturn', { input: { orderId: delivered.id, items: [{ lineItemId: item.id, quantity: 1, reason: 'DOES_NOT_FIT' }], idempotencyKey: 'portal-nav' } }, portal);
      expect(started.body.data.initiateReturn.status).toBe('CREATED');
      const returns = await t.operation('MyReturns', { customerId: customer.id }, portal);
      expect(returns.body.errors).toBeUndefined();
      expect(returns.body.data.customer.returns[0]).toMatchObject({ rma: started.body.data.initiateReturn.return.rma, order: { id: delivered.id }, labels: [expect.objectContaining({ labelUrl: expect.any(String) })] });
      const profile = await t.operation('MyProfile', { customerId: customer.id }, portal);
      expect(profile.body.errors).toBeUndefined();
      expect(profile.body.data.customer.addresses.map((a: { id: string }) => a.id).sort()).toEqual(customer.addresses.map((a) => a.id).sort());
      expect(profile.body.data.customer.email).toBe(customer.email);
    });

    it('answers another customer’s list as if it did not exist', async () => {
      const { body } = await t.operation('MyOrders', { customerId: t.data.customers[1].id }, await t.asCustomer(t.data.customers[0].id));
      expect(body.data.customer).toBeNull();
    });
  });

  describe('idempotency keys belong to the caller who sent them', () => {
    it('lets two customers use the same key, and replays each only their own write', async () => {
      const [a, b] = [customerOf(t, 'payment_overdue'), customerOf(t, 'pay_later_open')];
      const promise = async (customerId: string, key = 'ptp-1') => {
        const portal = await t.asCustomer(customerId);
        const balances = (await t.operation('MyProfile', { customerId }, portal)).body.data.customer.openBalances;
        const promisedFor = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
        return t.operation('PromiseToPay', { input: { customerId, currency: balances[0].outstanding.currency, promisedFor, channel: 'PORTAL', idempotencyKey: key } }, portal);
      };
      const first = await promise(a.id);
      const second = await promise(b.id);
      expect(first.body.errors).toBeUndefined();
      expect(second.body.errors).toBeUndefined();
      expect(second.body.data.promiseToPay.id).not.toBe(first.body.data.promiseToPay.id);
      expect((await promise(a.id)).body.data.promiseToPay.id).toBe(first.body.data.promiseToPay.id);
      expect((await promise(b.id)).body.data.promiseToPay.id).toBe(second.body.data.promiseToPay.id);

      const record = async (customerId: string, summary: string) =>
        t.operation('RecordInteraction', { input: { customerId, channel: 'PORTAL', intent: 'OTHER', outcome: 'RESOLVED', summary, idempotencyKey: 'portal-1' } }, await t.asCustomer(customerId));
      const mine = await record(a.id, 'mine');
      const theirs = await record(b.id, 'theirs');
      expect(theirs.body.data.recordInteraction.id).not.toBe(mine.body.data.recordInteraction.id);
      // The same caller, the same key, other input: still a conflict.
      expect(codeOf((await record(a.id, 'changed')).body)).toBe('CONFLICT');
    });
  });
});
