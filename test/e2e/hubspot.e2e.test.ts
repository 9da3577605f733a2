import { generateDemoData, ORDER_SCENARIOS, type DemoData } from '../fixtures/demo-data';
import { writeDemoData } from '../fixtures/seed';
import { startTestStack, todayUtc, type TestStack } from '../helpers/stack';
import { hubspotAdapterEnv, sdkFor, startHubspot, type StartedHubspot } from '../standins/hubspot';

const CUSTOMERS = ORDER_SCENARIOS.length;

/**
 * The customers subgraph on HubSpot (a stand-in checked against HubSpot's OpenAPI descriptions,
 * loaded through its SDK), the other systems on the reference adapters. A person is a contact id in
 * HubSpot and the graph's id everywhere else: HubSpot's contacts carry it in graph_customer_id.
 */
describe('the graph with HubSpot as the CRM', () => {
  let t: TestStack;
  let hubspot: StartedHubspot;
  let data: DemoData;
  beforeAll(async () => {
    data = generateDemoData({ customers: CUSTOMERS, anchor: todayUtc() });
    hubspot = await startHubspot(data);
    t = await startTestStack({
      customers: CUSTOMERS,
      redis: true,
      seed: (db) => writeDemoData(db, data, ['orders', 'payments', 'logistics']),
      env: hubspotAdapterEnv(hubspot),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await hubspot?.close();
  });

  it('identifies by email and by phone, verifies with the postal code HubSpot holds, and answers the context under the graph’s id', async () => {
    const index = data.customers.findIndex((c) => c.phone);
    const customer = data.customers[index];
    const { body: byPhone } = await t.operation('IdentifyByPhone', { phone: customer.phone }, await t.asAgent('VOICE'));
    expect(byPhone.errors).toBeUndefined();
    expect(byPhone.data.identifyByPhone.map((m: { caller: { id: string } }) => m.caller.id)).toEqual([customer.id]);
    const { body } = await t.operation('CustomerContext', {}, await t.verifiedAgent(index));
    expect(body.errors).toBeUndefined();
    expect(body.data.verifiedCustomer).toMatchObject({ id: customer.id, firstName: customer.firstName });
    const orders = data.orders.filter((o) => o.customerId === customer.id).map((o) => o.number);
    expect(body.data.verifiedCustomer.activeOrders.map((o: { number: string }) => o.number).every((n: string) => orders.includes(n))).toBe(true);
  });

  it('answers the profile as HubSpot holds it: one address, language from hs_language, no consent read', async () => {
    const customer = data.customers[1];
    const { body } = await t.operation('MyProfile', { customerId: customer.id }, await t.asCustomer(customer.id));
    expect(body.errors).toBeUndefined();
    const contactId = hubspot.ids.get(customer.id)!;
    expect(body.data.customer).toMatchObject({
      id: customer.id, email: customer.email, preferredLanguage: customer.preferredLanguage, locale: customer.locale, loyaltyTier: customer.loyaltyTier, marketingConsent: false,
      addresses: [{ id: `${contactId}-address`, kind: 'SHIPPING', isDefault: true, postalCode: customer.addresses[0].postalCode }],
    });
  });

  it('a contact changed in HubSpot is in the next answer of every replica once HubSpot’s webhook reaches one; a forged one is refused', async () => {
    const customer = data.customers[2];
    const replica = await t.replica();
    const lastNames = async () =>
      Promise.all([t.operation, replica.operation].map(async (run) => (await run('MyProfile', { customerId: customer.id }, await t.asCustomer(customer.id))).body.data.customer.lastName));
    expect(await lastNames()).toEqual([customer.lastName, customer.lastName]);
    // The brand's agent edits the contact in HubSpot; HubSpot tells one replica.
    const contactId = hubspot.ids.get(customer.id)!;
    await sdkFor(hubspot).crm.contacts.basicApi.update(contactId, { properties: { lastname: 'Married-Name' } });
    const webhookUrl = t.stack.subgraphUrls.customers.replace(/\/graphql$/, '/webhooks/hubspot');
    const delivered = await hubspot.sendWebhook(webhookUrl, [hubspot.standIn.event('contact.propertyChange', contactId, { propertyName: 'lastname', propertyValue: 'Married-Name' })]);
    expect(delivered.status).toBe(200);
    expect(await lastNames()).toEqual(['Married-Name', 'Married-Name']);
    const forged = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'AAAA', 'x-hubspot-request-timestamp': String(Date.now()) }, body: '[]' });
    expect(forged.status).toBe(401);
  });

  it('hands over what HubSpot holds and erases with HubSpot’s GDPR delete: the contact is gone, nobody finds the person, a repeat finds no one', async () => {
    const customer = data.customers[4];
    const contactId = hubspot.ids.get(customer.id)!;
    const EXPORT = /* GraphQL */ `query ($id: ID!) { customerDataExport(customerId: $id) { customerId crm } }`;
    const ERASE = /* GraphQL */ `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customerId systems { system records } } }`;
    const exported = await t.query(EXPORT, { id: customer.id }, await t.asOperations());
    expect(exported.body.errors).toBeUndefined();
    expect(exported.body.data.customerDataExport.crm).toMatchObject({ system: 'hubspot', contactId, properties: { email: customer.email, graph_customer_id: customer.id } });
    const input = { customerId: customer.id, reason: 'GDPR-hubspot' };
    const first = await t.query(ERASE, { input }, await t.asOperations());
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.eraseCustomer.systems.find((s: { system: string }) => s.system === 'crm').records).toBeGreaterThanOrEqual(1);
    await expect(sdkFor(hubspot).crm.contacts.basicApi.getById(contactId)).rejects.toMatchObject({ code: 404 });
    expect((await t.operation('IdentifyByEmail', { email: customer.email }, await t.asAgent('CHAT'))).body.data.identifyByEmail).toEqual([]);
    // HubSpot deletes (the CRM's part runs last, after every other system's): a repeat finds no one to erase.
    const repeat = await t.query(ERASE, { input }, await t.asOperations());
    expect(repeat.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  });
});
