import { LABEL_VALID_DAYS, TEST_PARCEL, TEST_RETURN_ADDRESS, type StartedEasyPost } from '../standins/easypost';
import type { StartedStripe } from '../standins/stripe';
import type { RunningCommercetools } from './commercetools';

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
});
