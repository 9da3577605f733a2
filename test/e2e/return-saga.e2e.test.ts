import { sql } from 'kysely';
import { paymentsSubgraph } from '../../subgraphs/payments/server';
import { createLogger } from '../../subgraphs/shared/logger';
import { startSubgraph } from '../../subgraphs/shared/subgraph';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type TestStack } from '../helpers/stack';

/** A return spans three systems: when one of them fails, nothing half-done may stay behind. */
describe('the return saga when a system is down', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
  });
  afterAll(() => t?.close());

  const rows = async (table: string, orderId: string) =>
    (await sql<{ status: string }>`select status from ${sql.table(table)} where order_id = ${orderId}`.execute(t.stack.database.db)).rows.map((r) => r.status);

  it('undoes the label and the RMA when payments cannot register the refund, and completes on a retry once it is back', async () => {
    const customer = t.data.customers[ORDER_SCENARIOS.indexOf('delivered_final_sale')];
    const order = t.data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
    const item = t.data.lineItems.find((i) => i.orderId === order.id && !i.finalSale)!;
    const input = { orderId: order.id, idempotencyKey: 'saga-payments-down', items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' }] };

    const portal = await t.asCustomer(customer.id);
    await t.stack.subgraphs.payments.close();
    const failed = await t.operation('InitiateReturn', { input }, portal);
    expect(failed.body.errors?.[0].extensions?.code).toBe('BACKEND_UNAVAILABLE');
    expect(failed.body.errors?.[0].message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(await rows('oms.returns', order.id)).toEqual([]);
    expect(await rows('logistics.return_labels', order.id)).toEqual(['VOIDED']);

    const { config, database, cache } = t.stack;
    const payments = await startSubgraph(paymentsSubgraph, { config, db: database.db, cache, logger: createLogger('test', 'silent'), readiness: {} });
    t.stack.subgraphs.payments = payments;
    const retried = await t.operation('InitiateReturn', { input }, portal);
    expect(retried.body.errors).toBeUndefined();
    expect(retried.body.data.initiateReturn).toMatchObject({ status: 'CREATED', return: { refunds: [{ status: 'PENDING' }] } });
    expect(await rows('oms.returns', order.id)).toEqual(['REQUESTED']);
    expect(await rows('payments_records.expected_refunds', order.id)).toEqual(['PENDING']);
  });

  it('creates nothing when logistics cannot issue the label', async () => {
    const customer = t.data.customers[ORDER_SCENARIOS.indexOf('delivered')];
    const order = t.data.orders.find((o) => o.customerId === customer.id && o.deliveredAt && o.deliveredAt.getTime() > t.anchor.getTime() - 10 * 86_400_000)
      ?? t.data.orders.find((o) => o.status === 'DELIVERED' && o.deliveredAt!.getTime() > t.anchor.getTime() - 10 * 86_400_000)!;
    const item = t.data.lineItems.find((i) => i.orderId === order.id && !i.finalSale)!;
    await t.stack.subgraphs.logistics.close();
    const { body } = await t.operation('InitiateReturn', {
      input: { orderId: order.id, idempotencyKey: 'saga-logistics-down', items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' }] },
    }, await t.asCustomer(order.customerId));
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BACKEND_UNAVAILABLE', service: 'logistics' });
    expect(await rows('oms.returns', order.id)).toEqual([]);
    expect(await rows('payments_records.expected_refunds', order.id)).toEqual([]);
  });
});
