import { describeOrderSystem } from '../../../../test/kits/order-source';
import { MISSING_KEY } from '../../../../test/kits/batch-contract';
import { generateDemoData } from '../../../../test/fixtures/demo-data';
import { startCommercetools, testVendorCalls, type RunningCommercetools } from '../../../../test/helpers/commercetools';
import { createTestDatabase } from '../../../../test/helpers/db';
import { FIXTURE_ANCHOR } from '../../../../test/helpers/stack';
import { ordersSubgraph } from '../../server';
import { loadConfig } from '../../../shared/config';
import { createLogger } from '../../../shared/logger';
import type { Return } from '../../port';
import type { CommercetoolsOrderSystem } from './system';
import { commercetoolsOrderAdapter } from '.';

const adapterOn = (ct: RunningCommercetools, more: Record<string, string> = {}, before?: (op: string) => Promise<void>) =>
  commercetoolsOrderAdapter.create(
    commercetoolsOrderAdapter.config.parse({ projectKey: ct.projectKey, clientId: ct.clientId, clientSecret: ct.clientSecret, apiUrl: ct.url, authUrl: ct.url, ...more }),
    { db: undefined as never, logger: createLogger('test', 'silent'), vendorCalls: testVendorCalls({ before }) },
  );

describeOrderSystem('commercetools on its emulator', async (data) => {
  const ct = await startCommercetools(data);
  return { source: await adapterOn(ct), held: ct.held, close: ct.close };
});

describe('commercetools adapter: what is special to it', () => {
  // Ten customers: the first ten scenarios include returns received and refunded.
  const data = generateDemoData({ customers: 10, anchor: FIXTURE_ANCHOR });
  let ct: RunningCommercetools;
  let source: CommercetoolsOrderSystem;
  // Runs between the adapter's read of the order and its write (the discipline calls it before each call).
  let beforeWrite: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ct = await startCommercetools(data);
    source = await adapterOn(ct, {}, async (op) => {
      if (op === 'orders.addReturnInfo') await beforeWrite?.();
    });
  });
  afterEach(() => {
    beforeWrite = undefined;
  });
  afterAll(() => ct?.close());

  const delivered = () => ct.held.orders.find((o) => o.status === 'DELIVERED' && !ct.held.returns.some((r) => r.orderId === o.id))!;
  const itemOf = (orderId: string) => ct.held.lineItems.find((i) => i.orderId === orderId)!;
  const input = (orderId: string) => ({ orderId, customerId: delivered().customerId, items: [{ lineItemId: itemOf(orderId).id, quantity: 1, reason: 'DOES_NOT_FIT' as const }] });
  const version = async (orderId: string) => (await ct.api.orders().withId({ ID: orderId }).get().execute()).body.version;
  const touch = async (orderId: string) =>
    void (await ct.api.orders().withId({ ID: orderId }).post({ body: { version: await version(orderId), actions: [{ action: 'setPurchaseOrderNumber', purchaseOrderNumber: `po-${Math.random()}` }] } }).execute());

  it('maps the fixtures’ states through the status table as they were given', async () => {
    const orders = await source.getOrders(ct.held.orders.map((o) => o.id));
    expect(orders.map((o) => o?.status)).toEqual(ct.held.orders.map((o) => o.status));
    const returned = ct.held.orders.filter((o) => o.status === 'RETURNED' || o.status === 'PARTIALLY_RETURNED');
    expect(returned.length).toBeGreaterThan(0);
  });

  it('createReturn: after a concurrent change (409) re-reads, checks again and writes once', async () => {
    const order = delivered();
    let writes = 0;
    beforeWrite = async () => {
      // Someone else changes the order between the adapter's read and its first write.
      if (++writes === 1) await touch(order.id);
    };
    const checks: number[] = [];
    const ret = await source.createReturn(input(order.id), 'special-409', (existing) => void checks.push(existing.length));
    expect(checks).toHaveLength(2);
    expect(writes).toBe(2);
    const live = (await source.listReturnsByOrder([order.id]))[0].filter((r) => r.status !== 'CANCELLED');
    expect(live.map((r) => r.id)).toEqual([ret.id]);
    await source.abandonReturn(ret);
  });

  it('createReturn: a return written meanwhile reaches the second check, which refuses', async () => {
    const order = delivered();
    let other: Return | undefined;
    beforeWrite = async () => {
      if (!other) {
        const inner = beforeWrite;
        beforeWrite = undefined;
        other = await source.createReturn(input(order.id), 'special-race-2', () => undefined);
        beforeWrite = inner;
      }
    };
    const taken = new Error('taken meanwhile');
    const check = (existing: Return[]) => {
      if (existing.some((r) => r.status !== 'CANCELLED')) throw taken;
    };
    await expect(source.createReturn(input(order.id), 'special-race-1', check)).rejects.toBe(taken);
    const live = (await source.listReturnsByOrder([order.id]))[0].filter((r) => r.status !== 'CANCELLED');
    expect(live.map((r) => r.id)).toEqual([other!.id]);
    await source.abandonReturn(other!);
  });

  it('createReturn: gives up with CONFLICT when the order keeps changing under it, having written nothing', async () => {
    const order = delivered();
    beforeWrite = () => touch(order.id);
    await expect(source.createReturn(input(order.id), 'special-busy', () => undefined)).rejects.toMatchObject({ code: 'CONFLICT' });
    beforeWrite = undefined;
    await expect(source.findReturnByRequestKey(order.id, 'special-busy')).resolves.toBeNull();
  });

  it('createReturn: a request key already on the order answers that return instead of writing another', async () => {
    const order = delivered();
    const first = await source.createReturn(input(order.id), 'special-twice', () => undefined);
    const again = await source.createReturn(input(order.id), 'special-twice', () => undefined);
    expect(again).toEqual(first);
    const live = (await source.listReturnsByOrder([order.id]))[0].filter((r) => r.status !== 'CANCELLED');
    expect(live.map((r) => r.id)).toEqual([first.id]);
    await source.abandonReturn(first);
  });

  it('maps the graph’s customer ids to commercetools customers and back (externalId)', async () => {
    const graphIds = data.customers.slice(0, 3).map((c) => c.id);
    const systemIds = graphIds.map((id) => ct.ids.customers.get(id)!);
    await expect(source.systemCustomerIds([...graphIds, 'cus_unknown'])).resolves.toEqual([...systemIds, null]);
    await expect(source.graphCustomerIds([systemIds[1], MISSING_KEY, systemIds[0]])).resolves.toEqual([graphIds[1], null, graphIds[0]]);
    await expect(source.systemCustomerIds([])).resolves.toEqual([]);
  });

  it('maps them through a custom field when the brand keeps the id there', async () => {
    await ct.api.types().post({ body: { key: 'brand-customer', name: { en: 'Customer' }, resourceTypeIds: ['customer'], fieldDefinitions: [{ name: 'graphId', label: { en: 'graphId' }, required: false, type: { name: 'String' } }] } }).execute();
    const { body } = await ct.api.customers().post({ body: { email: 'custom.field@example.com', custom: { type: { typeId: 'type', key: 'brand-customer' }, fields: { graphId: 'cus_custom_1' } } } }).execute();
    const viaField = await adapterOn(ct, { customerIdField: 'custom.graphId' });
    await expect(viaField.systemCustomerIds(['cus_custom_1', data.customers[0].id])).resolves.toEqual([body.customer.id, null]);
    await expect(viaField.graphCustomerIds([body.customer.id])).resolves.toEqual(['cus_custom_1']);
  });

  it('erases a customer’s addresses on their orders and marks them erased, keeping amounts and items; the customer record anonymised, its link kept', async () => {
    const customer = ct.held.customers[5].id;
    const linkBefore = (await ct.api.customers().withId({ ID: customer }).get().execute()).body.externalId;
    const before = (await source.listOrdersByCustomer([customer], 10))[0];
    const at = new Date('2026-11-25T00:00:00.000Z');
    const erased = await source.eraseCustomer(customer, at);
    expect(erased).toEqual({ records: before.length + 1, orderIds: expect.arrayContaining(before.map((o) => o.id)) });
    const record = (await ct.api.customers().withId({ ID: customer }).get().execute()).body;
    expect(record).toMatchObject({ email: `erased-${customer}@erased.invalid`, addresses: [] });
    expect([record.firstName ?? null, record.lastName ?? null, record.externalId]).toEqual([null, null, linkBefore]);
    expect(source.privacy).toMatchObject({ erasure: { system: 'commercetools', action: 'PSEUDONYMIZED' } });
    // A repeat changes the orders' addresses again (the same values) and leaves the record as it is.
    await expect(source.eraseCustomer(customer, at)).resolves.toMatchObject({ records: before.length + 1 });
    const after = await source.getOrders(before.map((o) => o.id));
    for (const [i, o] of after.entries()) {
      expect(o).toMatchObject({ erasedAt: at, total: before[i].total, shippingAddress: { name: 'Erased', line1: '—', city: '—', country: before[i].shippingAddress.country } });
    }
    const exported = await source.exportCustomer(customer);
    expect(exported.orderIds.sort()).toEqual(before.map((o) => o.id).sort());
  });

  it('behind the graph’s own records: read and written in the graph’s customer ids, a return once per idempotency key', async () => {
    const { database, drop } = await createTestDatabase();
    try {
      const { source: graph } = await ordersSubgraph.withOwnRecords!(source, { db: database.db, logger: createLogger('test', 'silent'), adapter: 'commercetools', config: loadConfig({ NODE_ENV: 'test' }) });
      const customer = data.customers[0].id;
      const orders = (await graph.listOrdersByCustomer([customer], 10))[0];
      expect(orders.map((o) => o.id).sort()).toEqual(ct.held.orders.filter((o) => o.customerId === ct.ids.customers.get(customer)).map((o) => o.id).sort());
      expect(new Set(orders.map((o) => o.customerId))).toEqual(new Set([customer]));
      const order = ct.held.orders.find((o) => o.status === 'DELIVERED' && !ct.held.returns.some((r) => r.orderId === o.id))!;
      const graphCustomer = data.customers.find((c) => ct.ids.customers.get(c.id) === order.customerId)!.id;
      const asked = { orderId: order.id, customerId: graphCustomer, items: [{ lineItemId: itemOf(order.id).id, quantity: 1, reason: 'DAMAGED' as const }] };
      const first = await graph.createReturn(asked, 'graph-key-1', () => undefined);
      expect(first).toMatchObject({ replayed: false, ret: { orderId: order.id, customerId: graphCustomer, status: 'REQUESTED' } });
      await expect(graph.createReturn(asked, 'graph-key-1', () => undefined)).resolves.toEqual({ ret: first.ret, replayed: true });
      await graph.abandonReturn(first.ret, 'graph-key-1');
      await expect(graph.getReturns([first.ret.id])).resolves.toMatchObject([{ status: 'CANCELLED', customerId: graphCustomer }]);
    } finally {
      await drop();
    }
  });
});
