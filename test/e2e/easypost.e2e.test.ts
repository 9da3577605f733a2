import { randomUUID } from 'node:crypto';
import { signViewer, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { ORDER_SCENARIOS, generateDemoData, type DemoData } from '../fixtures/demo-data';
import { writeDemoData } from '../fixtures/seed';
import { startTestStack, todayUtc, type TestStack } from '../helpers/stack';
import { easypostAdapterEnv, registerEasyPostShipments } from '../helpers/vendors';
import { sdkFor, startEasypost, type StartedEasyPost } from '../standins/easypost';

const CUSTOMERS = ORDER_SCENARIOS.length;
const shipmentsOf = /* GraphQL */ `query ($orderId: ID!) { order(id: $orderId) { shipments { id carrier trackingNumber status exception { kind } lineItems { id } events { status } } } }`;

/**
 * The graph with EasyPost as the carrier system: parcels are EasyPost trackers (a stand-in checked
 * against the SDK's models, loaded through the SDK), which order and customer each is comes from
 * the OMS's fulfilment data (registerShipments, as the OMS calls it), return labels are bought as
 * EasyPost return shipments by the return saga, and a tracker webhook reaches every replica.
 */
describe('the graph with EasyPost as the carrier system', () => {
  let t: TestStack;
  let easypost: StartedEasyPost;
  let data: DemoData;
  beforeAll(async () => {
    data = generateDemoData({ customers: CUSTOMERS, anchor: todayUtc() });
    easypost = await startEasypost(data);
    t = await startTestStack({
      customers: CUSTOMERS,
      redis: true,
      // EasyPost holds the parcels: the reference systems hold the rest.
      seed: (db) => writeDemoData(db, data, ['customers', 'orders', 'payments']),
      env: easypostAdapterEnv(easypost),
    });
    // The OMS tells logistics which order, consignee and line items each parcel is.
    await expect(registerEasyPostShipments(t.stack.subgraphUrls.logistics, t.stack.config.gatewaySecret, data, easypost)).resolves.toBe(data.shipments.length);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await easypost?.close();
  });

  const scenario = (name: (typeof ORDER_SCENARIOS)[number]) => {
    const customer = data.customers[ORDER_SCENARIOS.indexOf(name)];
    const order = data.orders.find((o) => o.customerId === customer.id && data.shipments.some((s) => s.orderId === o.id))!;
    return { customer, order };
  };

  it('answers an order’s parcels from EasyPost’s trackers, placed by the OMS’s fulfilment data', async () => {
    const { customer, order } = scenario('in_transit');
    const { body } = await t.query(shipmentsOf, { orderId: order.id }, await t.asCustomer(customer.id));
    expect(body.errors).toBeUndefined();
    const expected = data.shipments.filter((s) => s.orderId === order.id);
    expect(body.data.order.shipments).toHaveLength(expected.length);
    for (const s of body.data.order.shipments) {
      const fixture = expected.find((e) => easypost.ids.get(e.id) === s.id)!;
      expect(s).toMatchObject({ carrier: fixture.carrier, status: fixture.status, lineItems: fixture.lineItemIds.map((id) => ({ id })) });
      expect(s.id).toMatch(/^trk_/);
      expect(s.events.length).toBeGreaterThan(0);
    }
  });

  it('buys the return’s label at EasyPost once, as a return shipment naming the return', async () => {
    const { customer } = scenario('delivered');
    const recent = (o: DemoData['orders'][number]) => o.status === 'DELIVERED' && o.deliveredAt!.getTime() > t.anchor.getTime() - 10 * 86_400_000;
    const order = data.orders.find((o) => o.customerId === customer.id && recent(o)) ?? data.orders.find(recent)!;
    const portal = await t.asCustomer(order.customerId);
    const eligibility = await t.operation('ReturnEligibility', { orderId: order.id }, portal);
    const item = eligibility.body.data.order.returnEligibility.find((e: { eligible: boolean }) => e.eligible).lineItem;
    const input = { orderId: order.id, idempotencyKey: `easypost-label-${order.id}`, items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' }] };
    const made = await t.operation('InitiateReturn', { input }, portal);
    expect(made.body.errors).toBeUndefined();
    const ret = made.body.data.initiateReturn.return;
    expect(ret.labels).toEqual([expect.objectContaining({ labelUrl: expect.stringContaining(easypost.baseUrl), trackingNumber: expect.stringMatching(/^EZ/) })]);
    const again = await t.operation('InitiateReturn', { input }, portal);
    expect(again.body.data.initiateReturn.return.labels).toEqual(ret.labels);
    const bought = easypost.standIn.requests.filter((r) => r.method === 'POST' && /\/buy$/.test(r.path));
    const shipmentId = bought[bought.length - 1].path.split('/')[3];
    // The label runs from the order's shipping address (EasyPost swaps to and from on a return: the customer is `to`).
    const a = order.shippingAddress;
    await expect(sdkFor(easypost).Shipment.retrieve(shipmentId)).resolves.toMatchObject({
      is_return: true, reference: ret.id, tracking_code: ret.labels[0].trackingNumber,
      to_address: expect.objectContaining({ name: a.name, street1: a.line1, street2: a.line2, city: a.city, state: a.region, zip: a.postalCode, country: a.country }),
    });
  });

  it('issueReturnLabel (as the return saga calls it) refuses a sender address EasyPost cannot make a label from, naming the field, never the address, and keeps nothing', async () => {
    const order = data.orders[0];
    const issue = async (sender: Record<string, unknown> | null, returnId: string) => {
      const response = await fetch(t.stack.subgraphUrls.logistics, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer({ kind: 'service', id: 'orders' }, t.stack.config.gatewaySecret, { audience: 'logistics', requestId: randomUUID() }) },
        body: JSON.stringify({
          query: /* GraphQL */ `mutation ($input: IssueReturnLabelInput!) { issueReturnLabel(input: $input) { id status } }`,
          variables: { input: { returnId, orderId: order.id, customerId: order.customerId, rma: `RMA-${returnId}`, country: order.shippingAddress.country, sender } },
        }),
      });
      return (await response.json()) as { data?: { issueReturnLabel: { id: string; status: string } } | null; errors?: { message: string; extensions?: { code?: string; argument?: string } }[] };
    };
    const address = { ...order.shippingAddress };
    const noStreet = await issue({ ...address, line1: '  ' }, 'ret_e2e_no_street');
    expect(noStreet.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'sender' }) })]);
    expect(JSON.stringify(noStreet)).not.toContain(address.city);
    expect(JSON.stringify(noStreet)).not.toMatch(/ADDRESS\.VERIFY/);
    const otherCountry = await issue({ ...address, country: address.country === 'FR' ? 'DE' : 'FR' }, 'ret_e2e_country');
    expect(otherCountry.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', argument: 'sender.country' }) })]);
    // Nothing was drafted or kept for the refused return: the same return with the whole address gets its label.
    const made = await issue(address, 'ret_e2e_no_street');
    expect(made.errors).toBeUndefined();
    expect(made.data!.issueReturnLabel).toMatchObject({ id: expect.stringMatching(/^shp_/), status: 'CREATED' });
  });

  it('shows a tracker update EasyPost announces (tracker.updated) in the next answer of every replica', async () => {
    const { customer, order } = scenario('in_transit');
    const portal = await t.asCustomer(customer.id);
    const replica = await t.replica();
    const shipment = data.shipments.find((s) => s.orderId === order.id && s.status === 'IN_TRANSIT')!;
    const trackerId = easypost.ids.get(shipment.id)!;
    const statusOnEvery = async () =>
      Promise.all([t, replica].map(async (stack) => {
        const { body } = await stack.query(shipmentsOf, { orderId: order.id }, portal);
        expect(body.errors).toBeUndefined();
        return body.data.order.shipments.find((s: { id: string }) => s.id === trackerId);
      }));
    expect((await statusOnEvery()).map((s) => s.status)).toEqual(['IN_TRANSIT', 'IN_TRANSIT']);
    // The carrier reports the parcel lost; EasyPost tells one replica.
    easypost.standIn.advance(trackerId, 'failure', 'lost', 'Package lost in transit');
    const webhookUrl = t.stack.subgraphUrls.logistics.replace(/\/graphql$/, '/webhooks/easypost');
    const delivered = await easypost.sendWebhook(webhookUrl, easypost.standIn.event('tracker.updated', trackerId));
    expect(delivered.status).toBe(200);
    expect((await statusOnEvery()).map((s) => [s.status, s.exception?.kind])).toEqual([['EXCEPTION', 'LOST'], ['EXCEPTION', 'LOST']]);
    const forged = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hmac-signature': 'hmac-sha256-hex=00' }, body: '{}' });
    expect(forged.status).toBe(401);
  });
});
