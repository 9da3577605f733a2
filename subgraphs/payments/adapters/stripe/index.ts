import Stripe from 'stripe';
import { z } from 'zod';
import { defineAdapter } from '../../../shared/adapter';
import type { AdapterDeps } from '../../../shared/subgraph';
import type { PaymentSystem } from '../../port';
import { createStripeClient } from './client';
import { createMapper } from './map';
import { createStripeSystem } from './system';
import { createStripeWebhook } from './webhooks';

const metadataKey = z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'a Stripe metadata key: letters, digits and _ (at most 40)');

/** PAYMENTS_STRIPE_* settings (PAYMENTS_STRIPE_SECRET_KEY → secretKey). */
export const stripeConfig = z.object({
  /** No default, never logged: a restricted key (rk_) with read access and write access to customers is enough. */
  secretKey: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'a Stripe secret or restricted key (sk_… / rk_…)'),
  apiHost: z.string().min(1).default('api.stripe.com'),
  apiPort: z.coerce.number().int().min(1).max(65535).default(443),
  apiProtocol: z.enum(['http', 'https']).default('https'),
  /** Pinned to the SDK's own version, so the shapes the mapper reads are the ones its types describe. */
  apiVersion: z.string().min(1).default(Stripe.API_VERSION),
  /**
   * Stripe's documented live-mode default is 100 reads and 100 writes per second per account; one
   * bucket of 100 for both keeps either under its limit (test mode allows 25; search is 20 of them).
   */
  requestsPerSecond: z.coerce.number().positive().default(100),
  customerMetadataKey: metadataKey.default('graph_customer_id'),
  /** Also link a graph customer to the account's one customer with the same email (a match, not a stored id). */
  linkByEmail: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  orderMetadataKey: metadataKey.default('order_id'),
  returnMetadataKey: metadataKey.default('return_id'),
  /** The endpoint's signing secret; without it the subgraph serves no Stripe webhook. */
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'a Stripe webhook signing secret (whsec_…)').optional(),
  webhookToleranceSeconds: z.coerce.number().int().positive().default(300),
});
export type StripeConfig = z.output<typeof stripeConfig>;

/** Stripe's PaymentIntents, invoices, refunds and disputes as the payment system. */
export function createStripePaymentSystem(config: StripeConfig, deps: Pick<AdapterDeps, 'logger' | 'vendorCalls'>): PaymentSystem {
  const logger = deps.logger.child({ adapter: 'stripe' });
  const client = createStripeClient(config, { vendorCalls: deps.vendorCalls, logger });
  const map = createMapper(config, logger);
  const system = createStripeSystem(client, map, config);
  if (!config.webhookSecret) logger.warn('PAYMENTS_STRIPE_WEBHOOK_SECRET is not set: no Stripe webhook is served, changes are seen when cached copies expire');
  const webhooks = config.webhookSecret ? [createStripeWebhook(client, map, { ...config, webhookSecret: config.webhookSecret })] : [];
  const { systemCustomerIdsByEmail, ...rest } = system;
  return { ...rest, ...(config.linkByEmail ? { systemCustomerIdsByEmail } : {}), webhooks };
}

export const stripePaymentAdapter = defineAdapter({ name: 'stripe', config: stripeConfig, create: (config: StripeConfig, deps: AdapterDeps) => createStripePaymentSystem(config, deps) });
