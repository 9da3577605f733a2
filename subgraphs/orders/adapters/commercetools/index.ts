import { z } from 'zod';
import { defineAdapter } from '../../../shared/adapter';
import { orderNumberFormats } from '../../order-numbers';
import type { AdapterDeps } from '../../../shared/subgraph';
import { createCommercetoolsClient } from './client';
import { parseFieldPath, RETURN_ITEM_FIELDS } from './map';
import { createCommercetoolsSystem, type CommercetoolsOrderSystem } from './system';
import { createCommercetoolsWebhook } from './webhooks';

const fieldPath = (what: string) =>
  z.string().regex(/^(custom|attributes)\.[A-Za-z0-9_-]{1,64}$/, `${what}: custom.<field> or attributes.<attribute>`);

/**
 * commercetools Composable Commerce as the OMS. Read from ORDERS_COMMERCETOOLS_<KEY>, e.g.
 * ORDERS_COMMERCETOOLS_PROJECT_KEY, …_CLIENT_ID, …_CLIENT_SECRET (an API client with
 * manage_orders and view_customers).
 */
export const commercetoolsConfig = z.object({
  projectKey: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  apiUrl: z.url().default('https://api.europe-west1.gcp.commercetools.com'),
  authUrl: z.url().default('https://auth.europe-west1.gcp.commercetools.com'),
  /** Space- or comma-separated; none: the API client's own scopes. */
  scopes: z.string().optional().transform((s) => s?.split(/[\s,]+/).filter(Boolean)),
  /**
   * commercetools publishes no fixed request rate for the HTTP API; it asks clients to ramp up
   * gradually and answers bursts with 502/503 (and 429 on some endpoints). 50/s per project across
   * every replica stays far below what a project serves without ramp-up, and leaves headroom for
   * the brand's own storefront and back office.
   */
  requestsPerSecond: z.coerce.number().positive().max(10_000).default(50),
  /** Where the brand keeps the graph's customer id on its Customers. */
  /** Also link a graph customer to the project's one customer with the same email (a match, not a stored id). */
  linkByEmail: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  customerIdField: z.union([z.literal('externalId'), fieldPath('customerIdField').refine((p) => p.startsWith('custom.'), 'customerIdField: externalId or custom.<field>')]).default('externalId'),
  /** The project's order-number formats (checked here, read by the orders subgraph); unset: the graph's default. */
  orderNumberFormats: orderNumberFormats.optional(),
  /** Line item: the return-policy category (a product attribute, snapshot on the line item, or a line-item custom field). */
  categoryField: fieldPath('categoryField').default('attributes.returnCategory'),
  /** Line item: the final-sale flag (boolean). */
  finalSaleField: fieldPath('finalSaleField').default('custom.finalSale'),
  /** Order: when the last parcel was delivered (DateTime); commercetools records no delivery time of its own. */
  deliveredAtField: fieldPath('deliveredAtField').default('custom.deliveredAt'),
  /** Order: when the customer's data was erased (DateTime), written on erasure when the order has a custom type. */
  erasedAtField: fieldPath('erasedAtField').default('custom.erasedAt'),
  /** The key of the return-item Type with the fields requestKey, reason and status (returnItemTypeDraft). */
  returnItemType: z.string().regex(/^[A-Za-z0-9_-]{2,256}$/).default('customer-context-return-item'),
  /** The bearer token the subscription's HTTP push sends (Authorization: Bearer …); none: no webhook route. */
  webhookToken: z.string().min(24, 'webhookToken: at least 24 characters').optional(),
});
export type CommercetoolsConfig = z.output<typeof commercetoolsConfig>;

/** The Type a brand creates once (resourceTypeIds order-return-item) for the fields the graph writes on return items. */
export const returnItemTypeDraft = (key: string) => ({
  key,
  name: { en: 'Customer context graph: return item' },
  resourceTypeIds: ['order-return-item' as const],
  fieldDefinitions: Object.values(RETURN_ITEM_FIELDS).map((name) => ({
    name,
    label: { en: name },
    required: false,
    type: { name: 'String' as const },
    inputHint: 'SingleLine' as const,
  })),
});

export function createCommercetoolsOrders(config: CommercetoolsConfig, deps: AdapterDeps): CommercetoolsOrderSystem {
  const client = createCommercetoolsClient(config, deps.vendorCalls);
  const system = createCommercetoolsSystem(client, {
    customerIdField: config.customerIdField,
    returnItemType: config.returnItemType,
    map: {
      categoryField: parseFieldPath(config.categoryField),
      finalSaleField: parseFieldPath(config.finalSaleField),
      deliveredAtField: parseFieldPath(config.deliveredAtField),
      erasedAtField: parseFieldPath(config.erasedAtField),
    },
    logger: deps.logger,
  });
  const { systemCustomerIdsByEmail, ...rest } = system;
  return {
    ...rest,
    ...(config.linkByEmail ? { systemCustomerIdsByEmail } : {}),
    ...(config.orderNumberFormats ? { orderNumberFormats: config.orderNumberFormats } : {}),
    ...(config.webhookToken ? { webhooks: [createCommercetoolsWebhook({ token: config.webhookToken, customerIdField: config.customerIdField })] } : {}),
  };
}

export const commercetoolsOrderAdapter = defineAdapter({ name: 'commercetools', config: commercetoolsConfig, create: createCommercetoolsOrders });
