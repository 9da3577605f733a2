import { ORDER_SCENARIOS, type DemoData } from '../fixtures/demo-data';
import type { RunningCommercetools } from '../helpers/commercetools';
import type { TestStack } from '../helpers/stack';
import { startVendorStack, type VendorStack } from '../helpers/vendors';
import type { StartedEasyPost } from '../standins/easypost';
import { sdkFor as hubspotSdk, type StartedHubspot } from '../standins/hubspot';
import { sdkFor as stripeSdk, type StartedStripe } from '../standins/stripe';

const CUSTOMERS = ORDER_SCENARIOS.length;
const CT_WEBHOOK_TOKEN = 'commercetools-subscription-token-for-tests';

/**
 * No demo table at all: the CRM is HubSpot, the OMS commercetools, payments Stripe, the carrier
 * EasyPost (each an emulator or a stand-in checked against the vendor's published description,
 * loaded through the vendor's SDK). The graph keeps only its own records. One person is a graph id,
 * a HubSpot contact id, a commercetools UUID and a Stripe cus_…; the story runs from the order
 * number a caller says to the refund the return will bring, and each vendor's webhook reaches
 * every replica.
 */
describe('the graph with all four systems on vendor adapters', () => {
  let vendors: VendorStack;
  let t: TestStack;
  let ct: RunningCommercetools;
  let stripe: StartedStripe;
  let easypost: StartedEasyPost;
  let hubspot: StartedHubspot;
  let data: DemoData;
  beforeAll(async () => {
    vendors = await startVendorStack({ customers: CUSTOMERS, env: () => ({ ORDERS_COMMERCETOOLS_WEBHOOK_TOKEN: CT_WEBHOOK_TOKEN }) });
    ({ t, ct, stripe, easypost, hubspot, data } = vendors);
  }, 180_000);
  afterAll(() => vendors?.close());

  const scenario = (name: (typeof ORDER_SCENARIOS)[number]) => {
    const customer = data.customers[ORDER_SCENARIOS.indexOf(name)];
    const order = data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
    return { customer, order, ctOrderId: ct.ids.orders.get(order.id)! };
  };

  it('runs the whole story: identify by order number, verify, context, escalate, return, label, refund expected', async () => {
    const { customer, order, ctOrderId } = scenario('delivered_final_sale');
    const voice = await t.asAgent('VOICE', { agentId: 'voice-bot' });
    const identified = await t.operation('IdentifyByOrderNumber', { orderNumber: `#${order.number.toLowerCase().replace('-', ' ')}` }, voice);
    expect(identified.body.errors).toBeUndefined();
    expect(identified.body.data.identifyByOrderNumber).toEqual([expect.objectContaining({ caller: expect.objectContaining({ id: customer.id, firstName: customer.firstName }) })]);
    const verified = await t.operation('VerifyCaller', {
      input: { callerId: customer.id, identification: identified.body.data.identifyByOrderNumber[0].identification, channel: 'VOICE', method: 'POSTAL_CODE', answer: customer.addresses[0].postalCode },
    }, voice);
    expect(verified.body.data.verifyCaller.status).toBe('VERIFIED');
    const session = await t.asAgent('VOICE', { agentId: 'voice-bot', session: verified.body.data.verifyCaller.session.token });

    const context = await t.operation('CustomerContext', {}, session);
    expect(context.body.errors).toBeUndefined();
    const me = context.body.data.verifiedCustomer;
    expect(me).toMatchObject({ id: customer.id, firstName: customer.firstName });
    const active = me.activeOrders.find((o: { number: string }) => o.number === order.number);
    expect(active.id).toBe(ctOrderId);

    const items = active.lineItems;
    const escalated = await t.operation('Escalate', {
      input: {
        customerId: customer.id, fromChannel: 'VOICE', toChannel: 'HUMAN_DESK', intent: 'RETURN', orderId: ctOrderId, lineItemIds: items.map((i: { id: string }) => i.id),
        stepsTried: ['asked to return both items', 'one item is final sale'], failureReason: 'Final-sale item', sentiment: 'NEGATIVE', summary: 'Wants both items back', idempotencyKey: `all-escalate-${ctOrderId}`,
      },
    }, session);
    expect(escalated.body.errors).toBeUndefined();
    expect(escalated.body.data.escalate).toMatchObject({ status: 'OPEN', toChannel: 'HUMAN_DESK' });

    const portal = await t.asCustomer(customer.id);
    const eligible = items.find((i: { finalSale: boolean }) => !i.finalSale);
    const made = await t.operation('InitiateReturn', { input: { orderId: ctOrderId, idempotencyKey: `all-return-${ctOrderId}`, items: [{ lineItemId: eligible.id, quantity: 1, reason: 'DOES_NOT_FIT' }] } }, portal);
    expect(made.body.errors).toBeUndefined();
    const ret = made.body.data.initiateReturn.return;
    expect(made.body.data.initiateReturn.status).toBe('CREATED');
    // The RMA in commercetools, the label bought at EasyPost, the refund the graph expects until Stripe has one.
    expect((await ct.api.orders().withId({ ID: ctOrderId }).get().execute()).body.returnInfo?.some((r) => r.returnTrackingId === ret.rma)).toBe(true);
    expect(ret.labels).toEqual([expect.objectContaining({ trackingNumber: expect.any(String), labelUrl: expect.stringMatching(/^https?:\/\//) })]);
    expect(ret.refunds).toEqual([expect.objectContaining({ status: 'PENDING' })]);

    // The next turn carries all of it, from the four systems.
    const next = await t.operation('CustomerContext', {}, session);
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data.verifiedCustomer.openHandoffs).toEqual([expect.objectContaining({ id: escalated.body.data.escalate.id, stepsTried: ['asked to return both items', 'one item is final sale'] })]);
  });

  it('shows what each vendor announces in the next answer of every replica', async () => {
    const { customer, ctOrderId } = scenario('in_transit');
    const portal = await t.asCustomer(customer.id);
    const replica = await t.replica();
    const webhook = (subgraph: 'orders' | 'customers' | 'payments' | 'logistics', vendor: string) =>
      t.stack.subgraphUrls[subgraph].replace(/\/graphql$/, `/webhooks/${vendor}`);
    const read = /* GraphQL */ `query ($id: ID!, $orderId: ID!) {
      customer(id: $id) { lastName }
      order(id: $orderId) { status payments { id refunds { status } } shipments { id status } }
    }`;
    const onEvery = async () =>
      Promise.all([t, replica].map(async (stack) => {
        const { body } = await stack.query(read, { id: customer.id, orderId: ctOrderId }, portal);
        expect(body.errors).toBeUndefined();
        return body.data;
      }));
    const before = await onEvery();
    expect(before[1]).toEqual(before[0]);
    const [{ order }] = before;
    const shipmentId = order.shipments.find((s: { status: string }) => s.status === 'IN_TRANSIT').id;

    // HubSpot: the brand's agent edits the contact.
    const contactId = hubspot.ids.get(customer.id)!;
    await hubspotSdk(hubspot).crm.contacts.basicApi.update(contactId, { properties: { lastname: 'Renamed' } });
    expect((await hubspot.sendWebhook(webhook('customers', 'hubspot'), [hubspot.standIn.event('contact.propertyChange', contactId, { propertyName: 'lastname', propertyValue: 'Renamed' })])).status).toBe(200);
    // commercetools: the warehouse marks the order delivered.
    const ctOrder = (await ct.api.orders().withId({ ID: ctOrderId }).get().execute()).body;
    await ct.api.orders().withId({ ID: ctOrderId }).post({ body: { version: ctOrder.version, actions: [{ action: 'changeShipmentState', shipmentState: 'Delivered' }] } }).execute();
    const ctMessage = { notificationType: 'Message', projectKey: ct.projectKey, id: `msg-${ctOrderId}`, version: 1, sequenceNumber: 9, type: 'OrderShipmentStateChanged', resource: { typeId: 'order', id: ctOrderId }, resourceVersion: ctOrder.version + 1, shipmentState: 'Delivered', createdAt: new Date().toISOString(), lastModifiedAt: new Date().toISOString() };
    const ctDelivered = await fetch(webhook('orders', 'commercetools'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CT_WEBHOOK_TOKEN}` }, body: JSON.stringify(ctMessage) });
    expect(ctDelivered.status).toBe(200);
    // Stripe: the back office refunds part of the payment.
    const refund = await stripeSdk(stripe).refunds.create({ payment_intent: order.payments[0].id, amount: 100 });
    expect((await stripe.sendWebhook(webhook('payments', 'stripe'), stripe.standIn.event('charge.refunded', refund.charge as string))).status).toBe(200);
    // EasyPost: the carrier reports the parcel delivered.
    easypost.standIn.advance(shipmentId, 'delivered', 'arrived_at_destination', 'Delivered');
    expect((await easypost.sendWebhook(webhook('logistics', 'easypost'), easypost.standIn.event('tracker.updated', shipmentId))).status).toBe(200);

    for (const after of await onEvery()) {
      expect(after.customer.lastName).toBe('Renamed');
      expect(after.order.status).toBe('DELIVERED');
      expect(after.order.payments[0].refunds.map((r: { status: string }) => r.status)).toContain('SUCCEEDED');
      expect(after.order.shipments.find((s: { id: string }) => s.id === shipmentId).status).toBe('DELIVERED');
    }
  });
});
