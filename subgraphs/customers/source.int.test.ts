import { createTestDatabase, type TestDatabase } from '../../test/helpers/db';
import { createLogger } from '../shared/logger';
import type { Customer, CustomerSource, CustomerSystem, Interaction } from './port';
import { createCustomerRecords } from './records';
import { composeCustomerSource } from './source';

const at = new Date('2026-11-20T10:00:00Z');
const profile = (id: string, email: string): Customer => ({
  id, firstName: 'Ada', lastName: id, email, phone: `+4420700000${id.slice(-2)}`, dateOfBirth: null, preferredLanguage: 'en', locale: 'en-GB', country: 'GB',
  loyaltyTier: 'GOLD', marketingConsent: false, createdAt: at, updatedAt: at, addresses: [],
});

/** A CRM with ids of its own (as HubSpot's contacts), keeping the graph's id on some of them, counting what it is asked. */
function vendorCrm() {
  const contacts = new Map([['hs-01', profile('hs-01', 'ada@example.org')], ['hs-02', profile('hs-02', 'shared@example.org')], ['hs-03', profile('hs-03', 'shared@example.org')]]);
  const graphIdOf = new Map([['hs-01', 'cus_000001']]);
  const asked: string[][] = [];
  const system: CustomerSystem = {
    getCustomers: async (ids) => (asked.push([...ids]), ids.map((id) => contacts.get(id) ?? null)),
    findCustomersByEmail: async (emails) => emails.map((e) => [...contacts.values()].filter((c) => c.email === e.toLowerCase())),
    findCustomersByPhone: async (phones) => phones.map((p) => [...contacts.values()].filter((c) => c.phone === p)),
    exportCustomer: async (id) => (contacts.has(id) ? { contact: contacts.get(id) } : null),
    eraseCustomer: async (id) => (contacts.delete(id) ? 1 : null),
    ping: async () => undefined,
    systemCustomerIds: async (graphIds) => graphIds.map((g) => [...graphIdOf].find(([, v]) => v === g)?.[0] ?? null),
    graphCustomerIds: async (ids) => ids.map((id) => graphIdOf.get(id) ?? null),
  };
  return { system, asked };
}

const interaction = (id: string, customerId: string): Interaction => ({
  id, customerId, channel: 'CHAT', intent: 'OTHER', outcome: 'RESOLVED', orderId: null, lineItemIds: [], stepsTried: [], failureReason: null,
  sentiment: null, summary: 'asked about a parcel', agentId: null, occurredAt: at,
});

describe('the customers source: a CRM with ids of its own and the graph’s records', () => {
  let t: TestDatabase;
  let source: CustomerSource;
  let crm: ReturnType<typeof vendorCrm>;
  beforeEach(async () => {
    t = await createTestDatabase();
    crm = vendorCrm();
    const records = await createCustomerRecords(t.database.db, { system: 'hubspot', links: crm.system, logger: createLogger('test', 'silent') });
    source = composeCustomerSource(crm.system, records);
  });
  afterEach(() => t?.drop());

  it('reads a profile by graph id, answering it under that id; a customer the CRM lacks is null', async () => {
    const [ada, nobody] = await source.getCustomers(['cus_000001', 'cus_000404']);
    expect(ada).toMatchObject({ id: 'cus_000001', email: 'ada@example.org', loyaltyTier: 'GOLD' });
    expect(nobody).toBeNull();
    // The linked one asked by its CRM id; the unlinked one not asked at all.
    expect(crm.asked).toEqual([['hs-01']]);
  });

  it('identifies by email or phone under graph ids, a contact nobody linked under hubspot:<id>, which then reads back', async () => {
    const [[ada], shared] = await source.findCustomersByEmail(['ada@example.org', 'shared@example.org']);
    expect(ada.id).toBe('cus_000001');
    expect(shared.map((c) => c.id)).toEqual(['hubspot:hs-02', 'hubspot:hs-03']);
    await expect(source.findCustomersByPhone([ada.phone!])).resolves.toEqual([[expect.objectContaining({ id: 'cus_000001' })]]);
    await expect(source.getCustomers(['hubspot:hs-03'])).resolves.toEqual([expect.objectContaining({ id: 'hubspot:hs-03', lastName: 'hs-03' })]);
  });

  it('keeps interactions under graph ids, exports the profile with them, and erases both', async () => {
    await source.recordInteraction(interaction('int_1', 'cus_000001'), 'k1');
    await source.recordInteraction(interaction('int_2', 'hubspot:hs-02'), 'k2');
    const doc = await source.exportCustomer('cus_000001');
    expect(doc).toMatchObject({ contact: { id: 'hs-01' }, interactions: [expect.objectContaining({ id: 'int_1' })], handoffs: [] });
    await expect(source.exportCustomer('cus_000404')).resolves.toBeNull();

    // The interaction's free text, then the contact.
    await expect(source.eraseCustomer('hubspot:hs-02', at)).resolves.toBe(2);
    await expect(source.getCustomers(['hubspot:hs-02'])).resolves.toEqual([null]);
    await expect(source.getInteractions(['int_2'])).resolves.toEqual([expect.objectContaining({ summary: null })]);
    // Gone from the CRM, the graph's records still answer a repeat and an export.
    await expect(source.eraseCustomer('hubspot:hs-02', at)).resolves.toBe(1);
    await expect(source.exportCustomer('hubspot:hs-02')).resolves.toMatchObject({ interactions: [expect.objectContaining({ id: 'int_2' })] });
    await expect(source.eraseCustomer('cus_000404', at)).resolves.toBeNull();
  });
});
