import { randomUUID } from 'node:crypto';
import { signViewer, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { LABEL_VALID_DAYS, startEasypost, TEST_PARCEL, TEST_RETURN_ADDRESS, type StartedEasyPost } from '../standins/easypost';
import { hubspotAdapterEnv, startHubspot, type StartedHubspot } from '../standins/hubspot';
import { startStripe, type StartedStripe } from '../standins/stripe';
import { startCommercetools, type RunningCommercetools } from './commercetools';
import { startTestStack, todayUtc, type TestStack } from './stack';

/** The environment that puts the orders subgraph on a commercetools project and payments on a Stripe account (here, the emulators). */
export const vendorAdapterEnv = (commercetools: RunningCommercetools, stripe: StartedStripe): Record<string, string> => ({
  ORDERS_ADAPTER: 'commercetools',
  ORDERS_COMMERCETOOLS_PROJECT_KEY: commercetools.projectKey,
  ORDERS_COMMERCETOOLS_CLIENT_ID: commercetools.clientId,
  ORDERS_COMMERCETOOLS_CLIENT_SECRET: commercetools.clientSecret,
  ORDERS_COMMERCETOOLS_API_URL: commercetools.url,
  ORDERS_COMMERCETOOLS_AUTH_URL: commercetools.url,
  PAYMENTS_ADAPTER: 'stripe',
  PAYMENTS_STRIPE_SECRET_KEY: stripe.secretKey,
  PAYMENTS_STRIPE_API_HOST: stripe.host,
  PAYMENTS_STRIPE_API_PORT: String(stripe.port),
  PAYMENTS_STRIPE_API_PROTOCOL: 'http',
  PAYMENTS_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
});

/** The environment that puts the logistics subgraph on an EasyPost account (here, the stand-in). */
export const easypostAdapterEnv = (easypost: Pick<StartedEasyPost, 'baseUrl' | 'apiKey' | 'webhookSecret'>): Record<string, string> => ({
  LOGISTICS_ADAPTER: 'easypost',
  LOGISTICS_EASYPOST_API_KEY: easypost.apiKey,
  LOGISTICS_EASYPOST_BASE_URL: easypost.baseUrl,
  LOGISTICS_EASYPOST_WEBHOOK_SECRET: easypost.webhookSecret,
  LOGISTICS_EASYPOST_RETURN_FROM_ADDRESS: JSON.stringify(TEST_RETURN_ADDRESS),
  LOGISTICS_EASYPOST_PARCEL: JSON.stringify(TEST_PARCEL),
  LOGISTICS_EASYPOST_LABEL_VALID_DAYS: String(LABEL_VALID_DAYS),
  // The stand-in has no limit of its own; an account's is EasyPost's (the default).
  LOGISTICS_EASYPOST_REQUESTS_PER_SECOND: '1000',
});

/**
 * What the OMS's fulfilment data tells logistics once EasyPost holds the parcels: which order,
 * consignee and line items each tracker is (registerShipments, as the orders service calls it).
 */
export async function registerEasyPostShipments(logisticsUrl: string, gatewaySecret: string, data: Pick<DemoData, 'shipments'>, easypost: Pick<StartedEasyPost, 'held' | 'ids'>): Promise<number> {
  const codes = new Map(easypost.held.shipments.map((s) => [s.id, s.trackingNumber]));
  const all = data.shipments.map((s) => ({ orderId: s.orderId, customerId: s.customerId, carrier: s.carrier, trackingNumber: codes.get(easypost.ids.get(s.id)!)!, lineItemIds: s.lineItemIds }));
  let registered = 0;
  // A tracker is created per parcel: batches small enough to fit one request's deadline.
  for (let i = 0; i < all.length; i += 25) {
    const response = await fetch(logisticsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer({ kind: 'service', id: 'orders' }, gatewaySecret, { audience: 'logistics', requestId: randomUUID() }) },
      body: JSON.stringify({
        query: /* GraphQL */ `mutation ($shipments: [ShipmentRegistrationInput!]!) { registerShipments(shipments: $shipments) { id } }`,
        variables: { shipments: all.slice(i, i + 25) },
      }),
    });
    const body = (await response.json()) as { data?: { registerShipments: unknown[] }; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) throw new Error(`registerShipments failed: ${body.errors?.[0]?.message ?? response.status}`);
    registered += body.data.registerShipments.length;
  }
  return registered;
}

export interface VendorStack {
  t: TestStack;
  data: DemoData;
  ct: RunningCommercetools;
  stripe: StartedStripe;
  easypost: StartedEasyPost;
  hubspot: StartedHubspot;
  close(): Promise<void>;
}

/**
 * All four subgraphs on vendor adapters with no demo table: commercetools (its emulator, reached
 * through `ctApiUrl` when a test puts a proxy in front of it), Stripe, EasyPost and HubSpot
 * stand-ins, each loaded through its SDK; the parcels registered as the OMS's fulfilment data would.
 */
export async function startVendorStack(options: { customers: number; env?: (ct: RunningCommercetools) => Promise<Record<string, string>> | Record<string, string> }): Promise<VendorStack> {
  const data = generateDemoData({ customers: options.customers, anchor: todayUtc() });
  const ct = await startCommercetools(data);
  // The other systems name orders by the OMS's ids; HubSpot's contacts carry the graph's ids.
  const elsewhere: DemoData = { ...ct.held, customers: data.customers };
  const [stripe, easypost, hubspot] = await Promise.all([startStripe(elsewhere), startEasypost(elsewhere), startHubspot(data)]);
  const t = await startTestStack({
    customers: options.customers,
    redis: true,
    seed: async () => {},
    env: { ...vendorAdapterEnv(ct, stripe), ...easypostAdapterEnv(easypost), ...hubspotAdapterEnv(hubspot), ...(await options.env?.(ct)) },
  });
  await registerEasyPostShipments(t.stack.subgraphUrls.logistics, t.stack.config.gatewaySecret, elsewhere, easypost);
  return {
    t, data, ct, stripe, easypost, hubspot,
    close: async () => {
      await t.close();
      await Promise.all([ct.close(), stripe.close(), easypost.close(), hubspot.close()]);
    },
  };
}
