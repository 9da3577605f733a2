import { ORDER_SCENARIOS, generateDemoData, type DemoData } from '../fixtures/demo-data';
import { writeDemoData } from '../fixtures/seed';
import { startCommercetools, type RunningCommercetools } from '../helpers/commercetools';
import { startTestStack, todayUtc, type TestStack } from '../helpers/stack';
import { vendorAdapterEnv } from '../helpers/vendors';
import { sdkFor as stripeSdk, startStripe, type StartedStripe } from '../standins/stripe';

const CUSTOMERS = ORDER_SCENARIOS.length;
const paymentsOf = /* GraphQL */ `query ($orderId: ID!) { order(id: $orderId) { payments { id status method { type brand last4 } } } }`;

/**
 * The graph on a brand's own systems: orders in commercetools (its emulator), payments in Stripe
 * (a stand-in checked against Stripe's OpenAPI description), both loaded through their SDKs; the
 * CRM and logistics on the reference adapter. The same person is a graph id in the CRM, a UUID in
 * commercetools and a cus_… in Stripe. Nothing here reads a vendor behind the graph's back except
 * to check what a write left there, or to change something there as the brand's back office would.
 */
describe('the graph with commercetools as the OMS and Stripe as payments', () => {
  let t: TestStack;
  let ct: RunningCommercetools;
  let stripe: StartedStripe;
  let data: DemoData;
  beforeAll(async () => {
    data = generateDemoData({ customers: CUSTOMERS, anchor: todayUtc() });
    ct = await startCommercetools(data);
    // The other systems name orders by the OMS's ids, people by their own (the graph's, here).
    const elsewhere: DemoData = { ...ct.held, customers: data.customers };
    stripe = await startStripe(elsewhere);
    t = await startTestStack({
      customers: CUSTOMERS,
      redis: true,
      seed: (db) => writeDemoData(db, elsewhere, ['customers', 'logistics']),
      env: { ...vendorAdapterEnv(ct, stripe), ORDERS_COMMERCETOOLS_LINK_BY_EMAIL: 'true' },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await ct?.close();
    await stripe?.close();
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
    // Payments come from Stripe, found by the commercetools order id in the payment's metadata.
    const { body: page } = await t.query(paymentsOf, { orderId: ctOrderId }, await t.asCustomer(customer.id));
    expect(page.errors).toBeUndefined();
    expect(page.data.order.payments).toEqual([expect.objectContaining({ id: expect.stringMatching(/^pi_/), status: 'CAPTURED', method: expect.objectContaining({ type: 'CARD', last4: expect.stringMatching(/^\d{4}$/) }) })]);
  });

  it('answers an open balance from the open invoices in Stripe for the customer the graph knows', async () => {
    const { index, customer } = scenario('payment_overdue');
    const { body } = await t.operation('CustomerContext', {}, await t.verifiedAgent(index));
    expect(body.errors).toBeUndefined();
    expect(body.data.verifiedCustomer.id).toBe(customer.id);
    const owed = data.payments.filter((p) => p.customerId === customer.id && p.status === 'AWAITING_PAYMENT');
    expect(owed.length).toBeGreaterThan(0);
    expect(body.data.verifiedCustomer.openBalances).toEqual([
      expect.objectContaining({ outstanding: expect.objectContaining({ amountMinor: owed.reduce((sum, p) => sum + p.amount.amountMinor - p.captured.amountMinor, 0) }) }),
    ]);
  });

  it('links a commercetools customer that holds no graph id by the email the CRM has, once it is the only one with it', async () => {
    const { customer, order, ctCustomerId } = scenario('processing');
    // The brand's own customer record, made before the graph existed: no externalId.
    const held = (await ct.api.customers().withId({ ID: ctCustomerId }).get().execute()).body;
    await ct.api.customers().withId({ ID: ctCustomerId }).post({ body: { version: held.version, actions: [{ action: 'setExternalId' }] } }).execute();
    const { body } = await t.query(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { orders(first: 10) { number } } }`, { id: customer.id }, await t.asCustomer(customer.id));
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.orders.map((o: { number: string }) => o.number)).toContain(order.number);
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

    // The customer's next context shows it, from commercetools, with the refund the graph expects until Stripe has one.
    const { body } = await t.operation('MyReturns', { customerId: customer.id }, portal);
    expect(body.errors).toBeUndefined();
    const made = body.data.customer.returns.find((r: { rma: string }) => r.rma === [...rmas][0]);
    expect(made.refunds).toEqual([expect.objectContaining({ status: 'PENDING' })]);
  });

  it('shows a refund Stripe announces (charge.refunded) in the next answer of every replica', async () => {
    const { customer, ctOrderId } = scenario('delivered');
    const portal = await t.asCustomer(customer.id);
    const replica = await t.replica();
    const eligibility = await t.operation('ReturnEligibility', { orderId: ctOrderId }, portal);
    const item = eligibility.body.data.order.returnEligibility.find((e: { eligible: boolean }) => e.eligible).lineItem;
    const made = await t.operation('InitiateReturn', { input: { orderId: ctOrderId, idempotencyKey: `stripe-refund-${ctOrderId}`, items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' }] } }, portal);
    expect(made.body.errors).toBeUndefined();
    const ret = made.body.data.initiateReturn.return;
    const refundsOnEvery = async () =>
      Promise.all([t, replica].map(async (stack) => {
        const { body } = await stack.operation('MyReturns', { customerId: customer.id }, portal);
        expect(body.errors).toBeUndefined();
        return body.data.customer.returns.find((r: { rma: string }) => r.rma === ret.rma).refunds.map((r: { status: string }) => r.status);
      }));
    // Both replicas have the expectation cached.
    expect(await refundsOnEvery()).toEqual([['PENDING'], ['PENDING']]);

    // The brand's back office refunds in Stripe, naming the return; Stripe tells one replica.
    const { body: page } = await t.query(paymentsOf, { orderId: ctOrderId }, portal);
    const refund = await stripeSdk(stripe).refunds.create({ payment_intent: page.data.order.payments[0].id, amount: 100, metadata: { return_id: ret.id } });
    const webhookUrl = t.stack.subgraphUrls.payments.replace(/\/graphql$/, '/webhooks/stripe');
    const delivered = await stripe.sendWebhook(webhookUrl, stripe.standIn.event('charge.refunded', refund.charge as string));
    expect(delivered.status).toBe(200);
    // Every replica's next answer is Stripe's refund, in place of the expectation.
    expect(await refundsOnEvery()).toEqual([['SUCCEEDED'], ['SUCCEEDED']]);
    // A forged delivery is refused and changes nothing.
    const forged = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, body: '{}' });
    expect(forged.status).toBe(401);
  });
});
