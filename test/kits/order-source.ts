import type { OrderSystem } from '../../subgraphs/orders/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, MISSING_KEY, newestFirst } from './batch-contract';

export interface SourceUnderTest<Source> {
  source: Source;
  close(): Promise<void>;
  /**
   * The fixtures as the system holds them, when it cannot hold them as given: its own ids (orders,
   * line items, returns, customers), and the fields it stamps or computes itself as it answers them.
   */
  held?: DemoData;
}

/**
 * The contract any OMS adapter (the system-of-record port) must meet. An adapter's test file is one call:
 *
 *   describeOrderSystem('commercetools', async (data) => ({ source, close, held }));
 *
 * The factory loads the fixtures into the system through its own API and answers `held`: the same
 * fixtures as the system holds them (its ids, what it stamps); the kit compares against `held`
 * (against the fixtures themselves when there is none: a system that holds them as given).
 */
export function describeOrderSystem(name: string, create: (data: DemoData) => Promise<SourceUnderTest<OrderSystem>>): void {
  describeReads(`OrderSystem contract: ${name}`, create, (source, data) => {
    describe('writes', () => {
      const order = () => data().orders.find((o) => o.status === 'DELIVERED' && !data().returns.some((r) => r.orderId === o.id))!;
      const input = () => {
        const item = data().lineItems.find((i) => i.orderId === order().id)!;
        return { orderId: order().id, customerId: order().customerId, items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' as const }] };
      };
      const notCounted = (ret: unknown) => ret === null || (ret as { status: string }).status === 'CANCELLED';

      it('creates a return the check saw coming, keeps its request key, and reads it back', async () => {
        let seen: unknown[] | undefined;
        const ret = await source().createReturn(input(), 'kit-request-1', (existing) => { seen = existing; });
        // The order had no returns in the fixtures; earlier tests may have left abandoned ones.
        expect(seen?.filter((r) => !notCounted(r))).toEqual([]);
        expect(ret).toMatchObject({ status: 'REQUESTED', orderId: order().id, customerId: order().customerId, items: input().items, rma: expect.any(String) });
        await expect(source().findReturnByRequestKey(order().id, 'kit-request-1')).resolves.toEqual(ret);
        await expect(source().getReturns([ret.id])).resolves.toEqual([ret]);
        await expect(source().listReturnsByOrder([order().id])).resolves.toEqual([expect.arrayContaining([ret])]);
        await source().abandonReturn(ret);
      });

      it('writes nothing when the check refuses, and an abandoned return no longer counts nor answers its key', async () => {
        const refused = new Error('refused');
        await expect(source().createReturn(input(), 'kit-request-refused', () => { throw refused; })).rejects.toBe(refused);
        await expect(source().findReturnByRequestKey(order().id, 'kit-request-refused')).resolves.toBeNull();
        const ret = await source().createReturn(input(), 'kit-request-abandoned', () => undefined);
        await source().abandonReturn(ret);
        const [after] = await source().getReturns([ret.id]);
        expect(notCounted(after)).toBe(true);
        await expect(source().findReturnByRequestKey(order().id, 'kit-request-abandoned')).resolves.toBeNull();
        await expect(source().findReturnByRequestKey(MISSING_KEY, 'kit-request-abandoned')).resolves.toBeNull();
      });
    });
  });
}

function describeReads<Source extends OrderSystem>(
  title: string,
  create: (data: DemoData) => Promise<SourceUnderTest<Source>>,
  more: (source: () => Source, data: () => DemoData) => void,
): void {
  describe(title, () => {
    const given = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: SourceUnderTest<Source>;
    // Every expectation reads the fixtures as the system holds them.
    let data = given;
    beforeAll(async () => {
      subject = await create(given);
      data = subject.held ?? given;
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;
    const customerIds = () => data.customers.map((c) => c.id);
    const orderIds = () => data.orders.map((o) => o.id);

    itReadsByKey('getOrders', (ids) => source().getOrders(ids), () => indexBy(data.orders, (o) => o.id));
    itReadsByKey('getOrdersByNumber', (n) => source().getOrdersByNumber(n), () => indexBy(data.orders, (o) => o.number));
    itReadsByKey('getLineItems', (ids) => source().getLineItems(ids), () => indexBy(data.lineItems, (i) => i.id));
    itReadsByKey('getReturns', (ids) => source().getReturns(ids), () => indexBy(data.returns, (r) => r.id));

    const recentOrders = (customerId: string, first: number) =>
      data.orders.filter((o) => o.customerId === customerId).sort(newestFirst((o) => o.placedAt)).slice(0, first);
    itListsByKey('listOrdersByCustomer (first 2)', (ids) => source().listOrdersByCustomer(ids, 2), (id) => recentOrders(id, 2), customerIds);
    itListsByKey('listOrdersByCustomer (first 10)', (ids) => source().listOrdersByCustomer(ids, 10), (id) => recentOrders(id, 10), customerIds);
    const detailsOf = (orderId: string) => ({
      orderId,
      lineItems: data.lineItems.filter((i) => i.orderId === orderId).sort((a, b) => a.position - b.position),
      returns: data.returns.filter((r) => r.orderId === orderId).sort(newestFirst((r) => r.createdAt)),
    });
    for (const first of [2, 10]) {
      itListsByKey(
        `listOrderDetailsByCustomer (first ${first}): the line items and returns of the orders listOrdersByCustomer answers`,
        (ids) => source().listOrderDetailsByCustomer(ids, first),
        (id) => recentOrders(id, first).map((o) => detailsOf(o.id)),
        // Customers with returns first, so the lists checked hold some.
        () => [...new Set([...data.returns.map((r) => r.customerId), ...customerIds()])],
      );
    }
    itListsByKey(
      'listLineItemsByOrder',
      (ids) => source().listLineItemsByOrder(ids),
      (id) => data.lineItems.filter((i) => i.orderId === id).sort((a, b) => a.position - b.position),
      orderIds,
    );
    const withReturns = () => [...new Set(data.returns.map((r) => r.orderId))];
    itListsByKey(
      'listReturnsByOrder',
      (ids) => source().listReturnsByOrder(ids),
      (id) => data.returns.filter((r) => r.orderId === id).sort(newestFirst((r) => r.createdAt)),
      withReturns,
    );
    itListsByKey(
      'listReturnsByCustomer (first 1)',
      (ids) => source().listReturnsByCustomer(ids, 1),
      (id) => data.returns.filter((r) => r.customerId === id).sort(newestFirst((r) => r.createdAt)).slice(0, 1),
      () => [...new Set(data.returns.map((r) => r.customerId))],
    );

    it('counts the orders placed in a period', async () => {
      const from = new Date(FIXTURE_ANCHOR.getTime() - 60 * 86_400_000);
      const expected = data.orders.filter((o) => o.placedAt >= from && o.placedAt < FIXTURE_ANCHOR).length;
      await expect(source().countOrdersPlaced(from, FIXTURE_ANCHOR)).resolves.toBe(expected);
    });

    more(source, () => data);

    it('answers first = 0 with empty lists', async () => {
      await expect(source().listOrdersByCustomer(customerIds().slice(0, 2), 0)).resolves.toEqual([[], []]);
    });
    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
