import { z } from 'zod';
import { defineAdapter } from '../../../shared/adapter';
import type { AdapterDeps } from '../../../shared/subgraph';
import type { LogisticsSystem } from '../../port';
import { createEasyPostClient } from './client';
import { createMapper } from './map';
import { createEasyPostSystem } from './system';
import { createEasyPostWebhook } from './webhooks';

const address = z.object({
  name: z.string().optional(), company: z.string().optional(), street1: z.string().min(1), street2: z.string().optional(),
  city: z.string().min(1), state: z.string().optional(), zip: z.string().min(1), country: z.string().regex(/^[A-Z]{2}$/), phone: z.string().optional(), email: z.string().optional(),
});
const json = <T extends z.ZodType>(schema: T) => z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' });
    return z.NEVER;
  }
}).pipe(schema);

/** LOGISTICS_EASYPOST_* settings (LOGISTICS_EASYPOST_API_KEY → apiKey). */
export const easypostConfig = z.object({
  /** No default, never logged: a production (EZAK…) or test (EZTK…) key. */
  apiKey: z.string().regex(/^EZ[AT]K[A-Za-z0-9]+$/, 'an EasyPost API key (EZAK… or EZTK…)'),
  /** EasyPost's API; a stand-in's in tests. */
  baseUrl: z.url().default('https://api.easypost.com/v2/'),
  /** EasyPost publishes no fixed limit (it answers 429 under load); a cautious shared budget. */
  requestsPerSecond: z.coerce.number().positive().default(20),
  /** The webhook's secret; without it the subgraph serves no EasyPost webhook. */
  webhookSecret: z.string().min(8).optional(),
  /** Where returns are sent (JSON: street1, city, zip, country, …). */
  returnFromAddress: json(address),
  /** The parcel a return label is bought for (JSON: inches and ounces, as EasyPost takes them). */
  parcel: json(z.object({ length: z.number().positive(), width: z.number().positive(), height: z.number().positive(), weight: z.number().positive() })).default({ length: 12, width: 9, height: 4, weight: 32 }),
  /** EasyPost states no label expiry: how long the graph tells a customer a label is good. */
  labelValidDays: z.coerce.number().int().positive().default(30),
});
export type EasyPostConfig = z.output<typeof easypostConfig>;

/** EasyPost's trackers and return shipments as the carrier system. */
export function createEasyPostLogisticsSystem(config: EasyPostConfig, deps: Pick<AdapterDeps, 'logger' | 'vendorCalls'>): LogisticsSystem {
  const logger = deps.logger.child({ adapter: 'easypost' });
  const client = createEasyPostClient(config, { vendorCalls: deps.vendorCalls, logger });
  const system = createEasyPostSystem(client, createMapper(config, logger), { returnAddress: config.returnFromAddress, parcel: config.parcel });
  if (!config.webhookSecret) logger.warn('LOGISTICS_EASYPOST_WEBHOOK_SECRET is not set: no EasyPost webhook is served, changes are seen when cached copies expire');
  return { ...system, webhooks: config.webhookSecret ? [createEasyPostWebhook(client, { webhookSecret: config.webhookSecret })] : [] };
}

export const easypostLogisticsAdapter = defineAdapter({ name: 'easypost', config: easypostConfig, create: (config: EasyPostConfig, deps: AdapterDeps) => createEasyPostLogisticsSystem(config, deps) });
