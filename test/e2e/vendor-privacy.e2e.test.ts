import { ORDER_SCENARIOS, type DemoData } from '../fixtures/demo-data';
import type { RunningCommercetools } from '../helpers/commercetools';
import type { TestStack } from '../helpers/stack';
import { startVendorStack, type VendorStack } from '../helpers/vendors';
import { sdkFor as easypostSdk, type StartedEasyPost } from '../standins/easypost';
import { sdkFor as hubspotSdk, type StartedHubspot } from '../standins/hubspot';
import { sdkFor as stripeSdk, type StartedStripe } from '../standins/stripe';

const CUSTOMERS = ORDER_SCENARIOS.length;
const step = 'system action detail';
const EXPORT = /* GraphQL */ `query ($id: ID!) { customerDataExport(customerId: $id) {
  customerId crm oms orderIds payments logistics crmSystem { ${step} } omsSystem { ${step} } paymentsSystem { ${step} } logisticsSystem { ${step} }
} }`;
const ERASE = /* GraphQL */ `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customerId systems { system records systemOfRecord action detail } } }`;

/**
 * GDPR on the four vendors: the export and the erasure report say which system of record held each
 * part and what was done there, and each vendor then holds what the report says (read through its SDK).
 */
describe('GDPR export and erasure on all four vendors', () => {
  let vendors: VendorStack;
  let t: TestStack;
  let ct: RunningCommercetools;
  let stripe: StartedStripe;
  let easypost: StartedEasyPost;
  let hubspot: StartedHubspot;
  let data: DemoData;
  beforeAll(async () => {
    vendors = await startVendorStack({ customers: CUSTOMERS });
    ({ t, ct, stripe, easypost, hubspot, data } = vendors);
  }, 180_000);
  afterAll(() => vendors?.close());

  it('exports one customer from each vendor, then erases them as far as each vendor allows, and says so', async () => {
    const customer = data.customers[ORDER_SCENARIOS.indexOf('in_transit')];
    const ops = await t.asOperations();
    const ctCustomerId = ct.ids.customers.get(customer.id)!;
    const cusId = stripe.links.find((l) => l.graphCustomerId === customer.id)!.systemCustomerId;
    const contactId = hubspot.ids.get(customer.id)!;
    const intentsBefore = (await stripeSdk(stripe).paymentIntents.list({ customer: cusId, limit: 100 })).data.map((p) => p.id);
    expect(intentsBefore.length).toBeGreaterThan(0);

    const exported = await t.query(EXPORT, { id: customer.id }, ops);
    expect(exported.body.errors).toBeUndefined();
    const part = exported.body.data.customerDataExport;
    expect([part.crmSystem, part.omsSystem, part.paymentsSystem, part.logisticsSystem].map((s: { system: string; action: string }) => [s.system, s.action])).toEqual([
      ['hubspot', 'EXPORTED'], ['commercetools', 'EXPORTED'], ['stripe', 'EXPORTED'], ['easypost', 'EXPORTED'],
    ]);
    expect(part.crm).toMatchObject({ contactId });
    expect(part.orderIds.length).toBeGreaterThan(0);
    expect(part.payments.payments.length).toBe(intentsBefore.length);

    const erased = await t.query(ERASE, { input: { customerId: customer.id, reason: 'GDPR ticket 77' } }, ops);
    expect(erased.body.errors).toBeUndefined();
    const bySystem = Object.fromEntries(erased.body.data.eraseCustomer.systems.map((s: { system: string }) => [s.system, s]));
    expect(bySystem.crm).toMatchObject({ systemOfRecord: 'hubspot', action: 'DELETED' });
    expect(bySystem.oms).toMatchObject({ systemOfRecord: 'commercetools', action: 'PSEUDONYMIZED', detail: expect.stringMatching(/externalId kept/) });
    expect(bySystem.payments).toMatchObject({ systemOfRecord: 'stripe', action: 'DELETED', detail: expect.stringMatching(/kept by Stripe for bookkeeping/) });
    expect(bySystem.logistics).toMatchObject({ systemOfRecord: 'easypost', action: 'NOT_SUPPORTED', detail: expect.stringMatching(/no erasure/) });
    expect(bySystem.oms.records).toBe(part.orderIds.length + 1);

    // HubSpot: the contact is gone for good.
    await expect(hubspotSdk(hubspot).crm.contacts.basicApi.getById(contactId)).rejects.toMatchObject({ code: 404 });
    // commercetools: the customer record anonymised, its link to the graph kept; the orders nameless.
    const ctCustomer = (await ct.api.customers().withId({ ID: ctCustomerId }).get().execute()).body;
    expect(ctCustomer).toMatchObject({ email: `erased-${ctCustomerId}@erased.invalid`, addresses: [] });
    expect(ctCustomer.firstName ?? null).toBeNull();
    expect(ctCustomer.lastName ?? null).toBeNull();
    expect(JSON.stringify(ctCustomer)).not.toContain(customer.email);
    for (const orderId of part.orderIds) {
      const order = (await ct.api.orders().withId({ ID: orderId }).get().execute()).body;
      expect(order.shippingAddress).toMatchObject({ firstName: 'Erased', city: '—' });
      expect(order.customerEmail ?? null).toBeNull();
    }
    // Stripe: the customer deleted, its payments kept (bookkeeping).
    expect(await stripeSdk(stripe).customers.retrieve(cusId)).toMatchObject({ id: cusId, deleted: true });
    for (const id of intentsBefore) expect((await stripeSdk(stripe).paymentIntents.retrieve(id)).customer).toBe(cusId);
    // EasyPost: no erasure API, so the carrier still tracks the customer's parcels, as the report says.
    const parcels = ct.held.shipments.filter((s) => part.orderIds.includes(s.orderId));
    expect(parcels.length).toBeGreaterThan(0);
    for (const parcel of parcels) {
      const trackerId = easypost.ids.get(parcel.id)!;
      expect(await easypostSdk(easypost).Tracker.retrieve(trackerId)).toMatchObject({ id: trackerId, tracking_code: expect.any(String) });
    }

    // HubSpot deleted the contact: the graph no longer knows the person, so a repeat finds no one.
    const again = await t.query(ERASE, { input: { customerId: customer.id, reason: 'GDPR ticket 77, repeated' } }, ops);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
