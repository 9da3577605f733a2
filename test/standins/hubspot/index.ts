import { Client } from '@hubspot/api-client';
import type { Customer } from '../../../subgraphs/customers/port';
import { LOYALTY_TIERS } from '../../../subgraphs/customers/adapters/hubspot/map';
import type { CustomerLink } from '../../../subgraphs/shared/identity';
import type { DemoData } from '../../fixtures/demo-data';
import { startHubspotStandIn, type HubspotEvent, type HubspotStandIn, type StandInOptions } from './server';

export { startHubspotStandIn, type HubspotEvent, type HubspotStandIn } from './server';

export interface HubspotSettings {
  /** The contact property holding the graph's customer id (unique values). */
  graphIdProperty?: string;
  /** The contact property holding the loyalty tier (a dropdown). */
  loyaltyTierProperty?: string;
  /** The note property (unique values) that keys the interactions mirrored as notes. */
  engagementIdProperty?: string;
}

export interface StartedHubspot {
  basePath: string;
  accessToken: string;
  webhookClientSecret: string;
  /** The fixtures as HubSpot holds them (see loadIntoHubspot). */
  held: DemoData;
  /** Each graph customer's HubSpot contact id, in the fixtures' order. */
  ids: Map<string, string>;
  /** Each graph customer and the contact made for them (the graph-id property). */
  links: CustomerLink[];
  standIn: HubspotStandIn;
  /** Posts the events to `url` as one delivery, signed as HubSpot signs (v3). */
  sendWebhook(url: string, events: HubspotEvent[]): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The SDK pointed at a stand-in, as the fixtures use it (no discipline: a test set-up, not the adapter). */
export const sdkFor = (s: { basePath: string; accessToken: string }) => new Client({ accessToken: s.accessToken, basePath: s.basePath, numberOfApiCallRetries: 0 });

/** A HubSpot stand-in holding the fixtures' customers, loaded through HubSpot's own API with its SDK. */
export async function startHubspot(data: DemoData, settings: HubspotSettings & StandInOptions = {}): Promise<StartedHubspot> {
  const standIn = await startHubspotStandIn(settings);
  try {
    const { held, ids } = await loadIntoHubspot(sdkFor(standIn), data, settings);
    return {
      basePath: standIn.basePath, accessToken: standIn.accessToken, webhookClientSecret: standIn.webhookClientSecret, held, ids, standIn,
      links: [...ids].map(([graphCustomerId, systemCustomerId]) => ({ graphCustomerId, systemCustomerId })),
      sendWebhook: (url, events) => standIn.sendWebhook(url, events),
      close: () => standIn.close(),
    };
  } catch (err) {
    await standIn.close();
    throw err;
  }
}

const TIER_OPTION = Object.fromEntries(Object.entries(LOYALTY_TIERS).map(([option, tier]) => [tier, option]));

/**
 * Creates the brand's two contact properties and the customers as contacts through HubSpot's API,
 * and answers them as HubSpot holds them (`held`):
 * - ids are HubSpot's record ids; createdAt and updatedAt are when HubSpot made the contact (it sets them);
 * - one postal address per contact (HubSpot has no address kinds and no second line): the default
 *   shipping address, its two lines joined by ", ", its id `<contact id>-address`; the billing address is not kept;
 * - the language is hs_language (the locale's language; the locale is read back with the contact's country);
 * - marketing consent is not a contact property (HubSpot's subscription preferences hold it): held as false;
 * - the loyalty tier in the configured dropdown, the graph's id in the configured unique property;
 * - a note property with unique values keys the interactions the adapter mirrors as notes (none are loaded).
 * Interactions and the rest are the graph's own records: left as they are.
 */
export async function loadIntoHubspot(hubspot: Client, data: DemoData, settings: HubspotSettings = {}): Promise<{ held: DemoData; ids: Map<string, string> }> {
  const graphIdProperty = settings.graphIdProperty ?? 'graph_customer_id';
  const loyaltyTierProperty = settings.loyaltyTierProperty ?? 'loyalty_tier';
  await hubspot.crm.properties.coreApi.create('contacts', {
    name: graphIdProperty, label: 'Graph customer id', type: 'string' as never, fieldType: 'text' as never, groupName: 'contactinformation', hasUniqueValue: true,
  });
  await hubspot.crm.properties.coreApi.create('contacts', {
    name: loyaltyTierProperty, label: 'Loyalty tier', type: 'enumeration' as never, fieldType: 'select' as never, groupName: 'contactinformation',
    options: Object.keys(LOYALTY_TIERS).map((value, displayOrder) => ({ label: value[0].toUpperCase() + value.slice(1), value, displayOrder, hidden: false })),
  });
  await hubspot.crm.properties.coreApi.create('notes', {
    name: settings.engagementIdProperty ?? 'graph_interaction_id', label: 'Graph interaction id', type: 'string' as never, fieldType: 'text' as never, groupName: 'engagement', hasUniqueValue: true,
  });
  const ids = new Map<string, string>();
  const customers: Customer[] = [];
  for (const c of data.customers) {
    const shipping = c.addresses.find((a) => a.kind === 'SHIPPING' && a.isDefault) ?? c.addresses[0];
    const line1 = shipping ? [shipping.line1, shipping.line2].filter(Boolean).join(', ') : null;
    const made = await hubspot.crm.contacts.basicApi.create({
      associations: [],
      properties: {
        email: c.email, firstname: c.firstName, lastname: c.lastName, hs_language: c.preferredLanguage, country: c.country,
        [graphIdProperty]: c.id, [loyaltyTierProperty]: TIER_OPTION[c.loyaltyTier],
        ...(c.phone ? { phone: c.phone } : {}),
        ...(c.dateOfBirth ? { date_of_birth: c.dateOfBirth } : {}),
        ...(shipping ? { address: line1!, city: shipping.city, zip: shipping.postalCode, ...(shipping.region ? { state: shipping.region } : {}) } : {}),
      },
    });
    ids.set(c.id, made.id);
    customers.push({
      ...c, id: made.id, marketingConsent: false, createdAt: made.createdAt, updatedAt: made.updatedAt,
      addresses: shipping ? [{ ...shipping, id: `${made.id}-address`, kind: 'SHIPPING', isDefault: true, name: `${c.firstName} ${c.lastName}`, line1: line1!, line2: null }] : [],
    });
  }
  return { held: { ...data, customers }, ids };
}

/** The environment that puts the customers subgraph on this HubSpot (CUSTOMERS_HUBSPOT_*), for the end-to-end tests and npm run start:vendors. */
export const hubspotAdapterEnv = (hubspot: Pick<StartedHubspot, 'basePath' | 'accessToken' | 'webhookClientSecret'>): Record<string, string> => ({
  CUSTOMERS_ADAPTER: 'hubspot',
  CUSTOMERS_HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
  CUSTOMERS_HUBSPOT_BASE_PATH: hubspot.basePath,
  CUSTOMERS_HUBSPOT_WEBHOOK_CLIENT_SECRET: hubspot.webhookClientSecret,
  CUSTOMERS_HUBSPOT_ENGAGEMENT_ID_PROPERTY: 'graph_interaction_id',
  // The stand-in is one process on this box: HubSpot's own limits would only slow the tests.
  CUSTOMERS_HUBSPOT_REQUESTS_PER_SECOND: '1000',
  CUSTOMERS_HUBSPOT_SEARCH_REQUESTS_PER_SECOND: '1000',
});
