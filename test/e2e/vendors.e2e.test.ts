import { ORDER_SCENARIOS, generateDemoData, type DemoData } from '../fixtures/demo-data';
import { writeDemoData } from '../fixtures/seed';
import { startCommercetools, type RunningCommercetools } from '../helpers/commercetools';
import { startTestStack, todayUtc, type TestStack } from '../helpers/stack';

const CUSTOMERS = ORDER_SCENARIOS.length;

/**
 * The graph on a brand's own systems: orders in commercetools (its emulator, loaded through the
 * SDK), the CRM and logistics on the reference adapter. The same person is a graph id in the CRM
 * and a UUID in commercetools; no test here reads the OMS behind the graph's back except to check
 * what a write left there.
 */
describe('the graph with commercetools as the OMS', () => {
  let t: TestStack;
  let ct: RunningCommercetools;
  let data: DemoData;
  beforeAll(async () => {
    data = generateDemoData({ customers: CUSTOMERS, anchor: todayUtc() });
    ct = await startCommercetools(data);
    // The other systems name orders by the OMS's ids, people by their own (the graph's, here).
    const elsewhere: DemoData = { ...ct.held, customers: data.customers };
    t = await startTestStack({
      customers: CUSTOMERS,
      seed: (db) => writeDemoData(db, elsewhere, ['customers', 'payments', 'logistics']),
      env: {
        ORDERS_ADAPTER: 'commercetools',
        ORDERS_COMMERCETOOLS_PROJECT_KEY: ct.projectKey,
        ORDERS_COMMERCETOOLS_CLIENT_ID: ct.clientId,
        ORDERS_COMMERCETOOLS_CLIENT_SECRET: ct.clientSecret,
        ORDERS_COMMERCETOOLS_API_URL: ct.url,
        ORDERS_COMMERCETOOLS_AUTH_URL: ct.url,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await ct?.close();
  });

  const scenario = (name: (typeof ORDER_SCENARIOS)[number]) => {
    const index = ORDER_SCENARIOS.indexOf(name);
    const customer = data.customers[index];
    const order = data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
    return { index, customer, order, ctOrderId: ct.ids.orders.get(order.id)!, ctCustomerId: ct.ids.customers.get(customer.id)! };
  };

  it('answers the per-turn context for a customer whose id differs in the CRM and the OMS', async () => {
    const { index, customer, order, ctOrderId, ctCustomerId } = scenario('delivered_final_sale');
    expect(ctCustomerId).not.toBe(customer.id);
    const { body } = await t.operation('CustomerContext', {}, await t.verifiedAgent(index));
    expect(body.errors).toBeUndefined();
    expect(body.data.verifiedCustomer.id).toBe(customer.id);
    const orders = body.data.verifiedCustomer.activeOrders;
    expect(orders.map((o: { number: string }) => o.number)).toContain(order.number);
    const answered = orders.find((o: { number: string }) => o.number === order.number);
    expect(answered.id).toBe(ctOrderId);
    expect(answered.lineItems.map((i: { sku: string }) => i.sku)).toEqual(data.lineItems.filter((i) => i.orderId === order.id).map((i) => i.sku));
  });

  it('identifies a caller by an order number said loosely, in the OMS format', async () => {
    const { customer, order } = scenario('delivered_final_sale');
    const spoken = order.number.toLowerCase().replace('-', ' ');
    const { body } = await t.operation('IdentifyByOrderNumber', { orderNumber: spoken }, await t.asAgent('VOICE'));
    expect(body.errors).toBeUndefined();
    expect(body.data.identifyByOrderNumber.map((m: { caller: { id: string } }) => m.caller.id)).toEqual([customer.id]);
  });

  it('writes a return into commercetools once, whatever the repeats, and refuses what the policy refuses', async () => {
    const { customer, order, ctOrderId } = scenario('delivered_final_sale');
    const portal = await t.asCustomer(customer.id);
    const eligibility = await t.operation('ReturnEligibility', { orderId: ctOrderId }, portal);
    expect(eligibility.body.errors).toBeUndefined();
    const judged = eligibility.body.data.order.returnEligibility;
    expect(judged.map((e: { reason: string }) => e.reason)).toEqual(['ELIGIBLE', 'FINAL_SALE']);
    const returnInfosBefore = (await ct.api.orders().withId({ ID: ctOrderId }).get().execute()).body.returnInfo?.length ?? 0;

    const item = judged[0].lineItem;
    const input = { orderId: ctOrderId, idempotencyKey: `ct-return-${order.id}`, items: [{ lineItemId: item.id, quantity: 1, reason: 'DOES_NOT_FIT' }] };
    const answers = await Promise.all([1, 2, 3].map(() => t.operation('InitiateReturn', { input }, portal)));
    for (const { body } of answers) expect(body.errors).toBeUndefined();
    const rmas = new Set(answers.map(({ body }) => body.data.initiateReturn.return.rma));
    expect(rmas.size).toBe(1);
    expect(answers[0].body.data.initiateReturn).toMatchObject({ status: 'CREATED', return: { status: 'REQUESTED', items: [{ quantity: 1, lineItem: { id: item.id } }] } });
    const after = (await ct.api.orders().withId({ ID: ctOrderId }).get().execute()).body;
    expect(after.returnInfo).toHaveLength(returnInfosBefore + 1);
    expect(after.returnInfo!.at(-1)!.returnTrackingId).toBe([...rmas][0]);

    const finalSale = { ...input, idempotencyKey: `ct-final-${order.id}`, items: [{ lineItemId: judged[1].lineItem.id, quantity: 1, reason: 'DOES_NOT_FIT' }] };
    const refused = await t.operation('InitiateReturn', { input: finalSale }, portal);
    expect(refused.body.data.initiateReturn).toMatchObject({ status: 'REFUSED', refusals: [{ reason: 'FINAL_SALE' }] });
    expect((await ct.api.orders().withId({ ID: ctOrderId }).get().execute()).body.returnInfo).toHaveLength(returnInfosBefore + 1);

    // The customer's next context shows it, from commercetools.
    const { body } = await t.operation('MyReturns', { customerId: customer.id }, portal);
    expect(body.errors).toBeUndefined();
    expect(JSON.stringify(body.data)).toContain([...rmas][0]);
  });
});
