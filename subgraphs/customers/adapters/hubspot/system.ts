import { FilterOperatorEnum, type SimplePublicObject } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { chunks, distinct } from '../../../shared/batch';
import { soleOwners } from '../../../shared/identity';
import type { Customer, CustomerSystem } from '../../port';
import { isNotFound, type HubspotClient } from './client';
import { contactProperties, type Contact, type HubspotMapper, type MapSettings } from './map';

/** HubSpot's documented limits: 100 inputs per batch read; per search, 100 values in an IN filter and 200 results a page. */
export const BATCH_READ_SIZE = 100;
export const IN_VALUES = 100;
const SEARCH_PAGE = 200;
/** A contact's record id: HubSpot's ids are numbers (as strings). */
export const CONTACT_ID = /^[1-9]\d{0,18}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,252}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const GRAPH_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

const asContact = (o: SimplePublicObject): Contact => ({ id: o.id, properties: o.properties, createdAt: o.createdAt, updatedAt: o.updatedAt });

/**
 * HubSpot as the CRM: contacts read in batches of 100 by record id (or by the unique property
 * holding the graph's id), found by email and phone through search (IN filters, so a batch of
 * keys is one search a slice), erased with HubSpot's GDPR delete.
 */
export function createHubspotSystem(client: HubspotClient, map: HubspotMapper, settings: MapSettings): Omit<CustomerSystem, 'webhooks'> {
  const { hubspot } = client;
  const properties = contactProperties(settings);

  /** Contacts by a unique key (the record id, or `idProperty`), every batch of 100 one call. */
  async function batchRead(keys: readonly string[], idProperty?: string): Promise<Contact[]> {
    const slices = [...chunks(distinct(keys), BATCH_READ_SIZE)];
    const answers = await Promise.all(
      slices.map((slice) =>
        client.read('contacts.batch.read', () =>
          hubspot.crm.contacts.batchApi.read({ inputs: slice.map((id) => ({ id })), properties, propertiesWithHistory: [], ...(idProperty ? { idProperty } : {}) }, false),
        ),
      ),
    );
    // Keys HubSpot does not hold come back as a 207's errors (OBJECT_NOT_FOUND): simply absent here.
    return answers.flatMap((a) => a.results.map(asContact));
  }

  /** Every contact whose `property` is one of `values` (one IN filter per property, OR between them; HubSpot's IN wants string values in lower case), each page one call. */
  async function searchIn(propertyNames: readonly string[], values: readonly string[]): Promise<Contact[]> {
    const found = await Promise.all(
      [...chunks(distinct(values), IN_VALUES)].map(async (slice) => {
        const contacts: Contact[] = [];
        let after: string | undefined;
        do {
          const page = await client.search('contacts.search', () =>
            hubspot.crm.contacts.searchApi.doSearch({
              filterGroups: propertyNames.map((propertyName) => ({ filters: [{ propertyName, operator: FilterOperatorEnum.In, values: slice }] })),
              properties, limit: SEARCH_PAGE, sorts: ['hs_object_id'], ...(after ? { after } : {}),
            }),
          );
          contacts.push(...page.results.map(asContact));
          after = page.paging?.next?.after;
        } while (after);
        return contacts;
      }),
    );
    const byId = new Map(found.flat().map((c) => [c.id, c]));
    return [...byId.values()];
  }

  const contactsById = async (ids: readonly string[]) => {
    const valid = ids.filter((id) => CONTACT_ID.test(id));
    return valid.length ? batchRead(valid) : [];
  };

  return {
    getCustomers: async (ids) => {
      const index = new Map((await contactsById(ids)).map((c) => [c.id, map.customer(c)]));
      return ids.map((id) => index.get(id) ?? null);
    },
    findCustomersByEmail: async (emails) => {
      const asked = distinct(emails.map((e) => e.toLowerCase())).filter((e) => EMAIL.test(e));
      const customers = asked.length ? (await searchIn(['email'], asked)).map(map.customer) : [];
      return emails.map((e) => customers.filter((c) => c.email === e.toLowerCase()).sort(byId));
    },
    findCustomersByPhone: async (phones) => {
      // The graph asks in E.164; HubSpot compares the text as stored, so each answer is checked in E.164 too.
      const asked = distinct(phones).filter((p) => E164.test(p));
      const contacts = asked.length ? await searchIn(['phone', 'mobilephone'], asked) : [];
      const withPhones = contacts.map((c) => ({ customer: map.customer(c), phones: map.phonesOf(c) }));
      return phones.map((p) => withPhones.filter((c) => c.phones.includes(p)).map((c) => c.customer).sort(byId));
    },
    systemCustomerIds: async (graphIds) => {
      const valid = graphIds.filter((id) => GRAPH_ID.test(id));
      const contacts = valid.length ? await batchRead(valid, settings.graphIdProperty) : [];
      const index = new Map(contacts.map((c) => [map.graphIdOf(c), c.id]));
      return graphIds.map((id) => index.get(id) ?? null);
    },
    graphCustomerIds: async (systemIds) => {
      const index = new Map((await contactsById(systemIds)).map((c) => [c.id, map.graphIdOf(c)]));
      return systemIds.map((id) => index.get(id) ?? null);
    },
    systemCustomerIdsByEmail: async (emails) => {
      // HubSpot keeps one contact per email, but a second one can hold it as an additional email: then no one is linked.
      const asked = distinct(emails.map((e) => e.toLowerCase())).filter((e) => EMAIL.test(e));
      const contacts = asked.length ? await searchIn(['email'], asked) : [];
      const owners = soleOwners(contacts, (c) => c.properties.email, (c) => c.id);
      return emails.map((e) => owners.get(e.toLowerCase()) ?? null);
    },
    exportCustomer: async (customerId) => {
      const [contact] = await contactsById([customerId]);
      if (!contact) return null;
      // Every property HubSpot answered, as HubSpot holds it, and the profile the graph reads from it.
      const held = Object.fromEntries(Object.entries(contact.properties).filter(([, v]) => v !== null && v !== undefined && v !== ''));
      return { system: 'hubspot', contactId: contact.id, properties: held, customer: map.customer(contact) };
    },
    eraseCustomer: async (customerId) => {
      if (!CONTACT_ID.test(customerId)) return null;
      // HubSpot's GDPR delete removes the contact and everything attached to it, for good. Retried safely:
      // a retry finding nothing means an earlier attempt, whose answer was lost, did it.
      return client.write(
        'contacts.gdprDelete',
        ({ attempt }) =>
          hubspot.crm.contacts.basicApi.purge({ objectId: customerId }).then(
            () => 1,
            (err: unknown) => (isNotFound(err) ? (attempt > 1 ? 1 : null) : Promise.reject(err)),
          ),
        true,
      );
    },
    privacy: {
      export: { system: 'hubspot', action: 'EXPORTED', detail: 'Every property of the HubSpot contact, as HubSpot holds it' },
      erasure: { system: 'hubspot', action: 'DELETED', detail: 'HubSpot GDPR delete: the contact and what is attached to it removed for good' },
    },
    ping: async () => void (await client.read('contacts.list', () => hubspot.crm.contacts.basicApi.getPage(1))),
  };
}

const byId = (a: Customer, b: Customer) => Number(a.id) - Number(b.id);
