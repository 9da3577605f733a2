import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { WebhookRefusal, type VendorWebhook } from '../../../shared/webhooks';

/**
 * commercetools Subscriptions deliver to a queue (SQS, EventBridge, Google Pub/Sub, Azure Event
 * Grid / Service Bus, Confluent); what reaches HTTP is that queue's push: Event Grid and
 * EventBridge API destinations send a configured header, Pub/Sub push wraps the payload in
 * `{ message: { data: base64 } }`. The payload is the Platform format (a Message or a change
 * notification) or CloudEvents 1.0 structured JSON whose `data` is the Platform payload. Neither
 * is signed by commercetools, so the push endpoint carries a shared bearer token
 * (`Authorization: Bearer <webhookToken>`), compared in constant time.
 */
const resource = z.object({ typeId: z.string(), id: z.string().min(1).max(100) });
const platform = z.looseObject({
  notificationType: z.string(),
  projectKey: z.string().optional(),
  id: z.string().optional(),
  type: z.string().optional(),
  resource,
});
const cloudEvent = z.looseObject({ specversion: z.string(), id: z.string().min(1), type: z.string(), data: z.unknown().optional() });
const pubSubPush = z.looseObject({ message: z.looseObject({ data: z.string(), messageId: z.string().optional() }) });

type Platform = z.infer<typeof platform>;
type Change = { type: string; data: Record<string, unknown> };
const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const id = (value: unknown) => (typeof value === 'string' && ENTITY_ID.test(value) ? value : undefined);

const digest = (text: string) => createHash('sha256').update(text).digest();
function bearer(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const match = typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}

/** Order messages that change what the graph shows of an order (and the change notifications). */
const ORDER_MESSAGES = new Set([
  'OrderCreated', 'OrderImported', 'OrderDeleted', 'OrderStateChanged', 'OrderStateTransition', 'OrderShipmentStateChanged',
  'OrderPaymentStateChanged', 'OrderCustomerSet', 'OrderShippingAddressSet', 'OrderBillingAddressSet', 'OrderCustomerEmailSet',
  'DeliveryAdded', 'DeliveryRemoved', 'DeliveryItemsUpdated', 'ParcelAddedToDelivery', 'ParcelRemovedFromDelivery', 'OrderCustomFieldAdded',
  'OrderCustomFieldChanged', 'OrderCustomFieldRemoved', 'OrderLineItemAdded', 'OrderLineItemRemoved', 'OrderEditApplied',
]);
const RETURN_MESSAGES = new Set(['ReturnInfoAdded', 'ReturnInfoSet', 'ReturnShipmentStateChanged', 'ReturnPaymentStateChanged', 'ReturnInfoRemoved']);
const CUSTOMER_MESSAGES = new Set(['CustomerCreated', 'CustomerExternalIdSet', 'CustomerCustomFieldAdded', 'CustomerCustomFieldChanged']);

/** One Platform payload → the orders subgraph's change events (SYSTEM customer ids) and identity links. */
function translate(payload: Platform, customerIdField: string): { changes: Change[]; links: { graphCustomerId: string; systemCustomerId: string }[] } {
  const p = payload as Platform & Record<string, any>;
  const none = { changes: [], links: [] };
  if (payload.resource.typeId === 'order') {
    const orderId = id(payload.resource.id);
    if (!orderId) return none;
    const customerId = id(p.order?.customerId ?? p.customerId ?? p.customer?.id);
    const orderChanged: Change = { type: 'order.updated', data: { orderId, ...(customerId ? { customerId } : {}) } };
    const isChange = payload.notificationType.startsWith('Resource');
    if (isChange || ORDER_MESSAGES.has(payload.type ?? '')) return { changes: [orderChanged], links: [] };
    if (RETURN_MESSAGES.has(payload.type ?? '')) {
      // A return's id is its first item's; the order's invalidation covers the other items' returns.
      const infos = [p.returnInfo, ...(Array.isArray(p.returnInfo) ? p.returnInfo : [])].filter((i) => i && Array.isArray(i.items));
      const returnIds = [...infos.map((i: { items: { id?: string }[] }) => id(i.items[0]?.id)), id(p.returnItemId)].filter((r): r is string => !!r);
      return {
        changes: [...[...new Set(returnIds)].map((returnId): Change => ({ type: 'return.updated', data: { returnId, orderId, ...(customerId ? { customerId } : {}) } })), orderChanged],
        links: [],
      };
    }
    return none;
  }
  if (payload.resource.typeId === 'customer' && CUSTOMER_MESSAGES.has(payload.type ?? '')) {
    const systemCustomerId = id(payload.resource.id);
    const customer = p.customer ?? {};
    const graphCustomerId = customerIdField === 'externalId'
      ? id(customer.externalId ?? p.externalId)
      : id(customer.custom?.fields?.[customerIdField.slice('custom.'.length)] ?? (p.name === customerIdField.slice('custom.'.length) ? p.value : undefined));
    return { changes: [], links: systemCustomerId && graphCustomerId ? [{ graphCustomerId, systemCustomerId }] : [] };
  }
  return none;
}

function parse(rawBody: string): { id: string; payloads: Platform[] } {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new WebhookRefusal(400, 'BAD_REQUEST', 'Not JSON');
  }
  const pushed = pubSubPush.safeParse(body);
  if (pushed.success) {
    try {
      const inner = parse(Buffer.from(pushed.data.message.data, 'base64').toString('utf8'));
      return { id: pushed.data.message.messageId ?? inner.id, payloads: inner.payloads };
    } catch {
      throw new WebhookRefusal(400, 'BAD_REQUEST', 'Not a commercetools payload');
    }
  }
  // Event Grid may batch CloudEvents in an array.
  const events = Array.isArray(body) ? body : [body];
  const payloads: Platform[] = [];
  const ids: string[] = [];
  for (const event of events) {
    const asCloudEvent = cloudEvent.safeParse(event);
    const inner = asCloudEvent.success ? platform.safeParse(asCloudEvent.data.data) : platform.safeParse(event);
    if (!inner.success) throw new WebhookRefusal(400, 'BAD_REQUEST', 'Not a commercetools payload');
    payloads.push(inner.data);
    ids.push(asCloudEvent.success ? asCloudEvent.data.id : inner.data.id ?? `${inner.data.resource.typeId}:${inner.data.resource.id}:${(inner.data as { version?: number }).version ?? ''}`);
  }
  if (payloads.length === 0) throw new WebhookRefusal(400, 'BAD_REQUEST', 'Not a commercetools payload');
  return { id: ids.join(','), payloads };
}

export function createCommercetoolsWebhook(options: { token: string; customerIdField: string; path?: string }): VendorWebhook {
  const expected = digest(options.token);
  return {
    path: options.path ?? '/webhooks/commercetools',
    async receive(rawBody, headers) {
      const given = bearer(headers);
      // Digests of equal length, so the comparison's time says nothing about the token.
      if (!given || !timingSafeEqual(digest(given), expected)) throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'Missing or wrong bearer token');
      const { id: deliveryId, payloads } = parse(rawBody);
      const changes: Change[] = [];
      const links: { graphCustomerId: string; systemCustomerId: string }[] = [];
      for (const payload of payloads) {
        const translated = translate(payload, options.customerIdField);
        changes.push(...translated.changes);
        links.push(...translated.links);
      }
      return { id: deliveryId, changes, ...(links.length ? { links } : {}) };
    },
  };
}
