import { z } from 'zod';
import { defineAdapter } from '../../../shared/adapter';
import type { AdapterDeps } from '../../../shared/subgraph';
import { createHubspotClient } from './client';
import { createEngagements } from './engagements';
import type { CustomerSystem, Interaction } from '../../port';
import { createMapper } from './map';
import { createHubspotSystem } from './system';
import { createHubspotWebhook } from './webhooks';

const propertyName = z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, 'a HubSpot property’s internal name: lower case letters, digits and _');

/** CUSTOMERS_HUBSPOT_* settings (CUSTOMERS_HUBSPOT_ACCESS_TOKEN → accessToken). */
export const hubspotConfig = z.object({
  /** No default, never logged: a private app's access token with crm.objects.contacts.read and .write. */
  accessToken: z.string().regex(/^pat-[a-z0-9]{2,8}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a HubSpot private app access token (pat-…)'),
  basePath: z.string().url().default('https://api.hubapi.com'),
  /**
   * HubSpot's documented burst limit for a private app: 100 requests per 10 seconds on Free and
   * Starter (190 on Professional and Enterprise: set 19), shared by every replica.
   */
  requestsPerSecond: z.coerce.number().positive().default(10),
  /** The CRM search endpoints' own limit: 5 requests per second per account. */
  searchRequestsPerSecond: z.coerce.number().positive().default(5),
  /** The contact property holding the graph's customer id: a single-line text property with unique values. */
  graphIdProperty: propertyName.default('graph_customer_id'),
  /** The contact property holding the loyalty tier: a dropdown with options none, bronze, silver, gold, platinum. */
  loyaltyTierProperty: propertyName.default('loyalty_tier'),
  /** Also link a graph customer to the one contact with the same email (a match, not a stored id). */
  linkByEmail: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The app's client secret, which signs its webhooks (v3); without it the subgraph serves no HubSpot webhook. */
  webhookClientSecret: z.string().min(16, 'the HubSpot app’s client secret').optional(),
  /** The target URL set in the app's webhook settings, as HubSpot signs it (behind a proxy the Host header may differ). */
  webhookUrl: z.string().url().optional(),
  webhookToleranceSeconds: z.coerce.number().int().positive().default(300),
  /** A connection HubSpot has been silent on this long is closed (the SDK cannot be told a request's deadline); longer than any deadline. */
  socketTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /** Mirror each interaction the graph newly records as a note on the contact (engagements.ts). */
  mirrorInteractions: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The note property with unique values holding the interaction's id, by which a repeat finds its note. */
  engagementIdProperty: propertyName.default('graph_interaction_id'),
});
export type HubspotConfig = z.output<typeof hubspotConfig>;

/** The CRM port, and where configured, the interactions mirrored to HubSpot as notes (engagements.ts). */
export type HubspotCustomerSystem = CustomerSystem & { recordEngagement?(interaction: Interaction): Promise<void> };

/** HubSpot's contacts as the CRM: the profile, in HubSpot's record ids. */
export function createHubspotCustomerSystem(config: HubspotConfig, deps: Pick<AdapterDeps, 'logger' | 'vendorCalls'>): HubspotCustomerSystem {
  const logger = deps.logger.child({ adapter: 'hubspot' });
  const client = createHubspotClient(config, { vendorCalls: deps.vendorCalls, socketTimeoutMs: config.socketTimeoutMs });
  const map = createMapper(config, logger);
  const { systemCustomerIdsByEmail, ...system } = createHubspotSystem(client, map, config);
  if (!config.webhookClientSecret) logger.warn('CUSTOMERS_HUBSPOT_WEBHOOK_CLIENT_SECRET is not set: no HubSpot webhook is served, changes are seen when cached copies expire');
  const webhooks = config.webhookClientSecret ? [createHubspotWebhook({ ...config, webhookClientSecret: config.webhookClientSecret })] : [];
  const engagements = config.mirrorInteractions ? createEngagements(client, { engagementIdProperty: config.engagementIdProperty }) : undefined;
  return { ...system, ...(config.linkByEmail ? { systemCustomerIdsByEmail } : {}), ...(engagements ?? {}), webhooks };
}

export const hubspotCustomerAdapter = defineAdapter({ name: 'hubspot', config: hubspotConfig, create: (config: HubspotConfig, deps: AdapterDeps) => createHubspotCustomerSystem(config, deps) });
