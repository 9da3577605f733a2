import type { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import { z } from 'zod';
import type { CustomerLink } from '../../../shared/identity';
import { WebhookRefusal, type VendorDelivery, type VendorWebhook } from '../../../shared/webhooks';
import type { StripeClient } from './client';
import type { StripeMapper } from './map';

export interface StripeWebhookSettings {
  webhookSecret: string;
  webhookToleranceSeconds: number;
  customerMetadataKey: string;
  orderMetadataKey: string;
  returnMetadataKey: string;
}

type Change = VendorDelivery['changes'][number];
type Obj = Record<string, any>;

/** Stripe's event envelope: the least a delivery must carry to be one. */
const eventShape = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.object({ id: z.string().min(1), object: z.string() }).passthrough() }),
});

const idOf = (value: unknown): string | null => (typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as Obj).id === 'string' ? (value as Obj).id : null);

/**
 * Stripe's webhook: Stripe-Signature checked by the SDK (`constructEventAsync`, HMAC and timestamp
 * tolerance), then the event translated into the payments subgraph's change events with Stripe's
 * customer ids (the seam maps them). An object that names no PaymentIntent's order is not the
 * graph's: acknowledged with no changes, as is every event type the graph does not use.
 */
export function createStripeWebhook(client: StripeClient, map: StripeMapper, settings: StripeWebhookSettings, path = '/webhooks/stripe'): VendorWebhook {
  const { stripe } = client;

  /** The PaymentIntent behind a charge, refund or dispute: its metadata names the order. */
  const intentOf = async (value: unknown): Promise<Stripe.PaymentIntent | null> => {
    if (value && typeof value === 'object') return value as Stripe.PaymentIntent;
    const id = idOf(value);
    return id ? client.readOrNull('paymentIntents.retrieve', (options) => stripe.paymentIntents.retrieve(id, {}, options)) : null;
  };
  const paymentChange = (intent: Stripe.PaymentIntent | null): Change[] => {
    const orderId = intent ? map.orderOf(intent.metadata) : null;
    const customerId = idOf(intent?.customer);
    return intent && orderId && customerId ? [{ type: 'payment.updated', data: { paymentId: intent.id, orderId, customerId } }] : [];
  };
  const refundChange = (refund: Obj, intent: Stripe.PaymentIntent | null): Change[] => {
    const orderId = intent ? map.orderOf(intent.metadata) : null;
    const customerId = idOf(intent?.customer);
    const returnId = refund.metadata?.[settings.returnMetadataKey];
    return orderId && customerId ? [{ type: 'refund.updated', data: { refundId: refund.id, orderId, customerId, ...(returnId ? { returnId } : {}) } }] : [];
  };

  async function translate(type: string, object: Obj): Promise<{ changes: Change[]; links: CustomerLink[] }> {
    const none = { changes: [], links: [] };
    if (type.startsWith('payment_intent.')) return { changes: paymentChange(object as Stripe.PaymentIntent), links: [] };
    if (type.startsWith('charge.dispute.')) {
      const intent = await intentOf(object.payment_intent);
      const payment = paymentChange(intent);
      if (!payment.length) return none;
      const { orderId, customerId } = payment[0].data;
      return { changes: [{ type: 'dispute.updated', data: { disputeId: object.id, orderId, customerId } }, ...payment], links: [] };
    }
    if (type.startsWith('refund.') || type === 'charge.refund.updated') {
      const intent = await intentOf(object.payment_intent);
      return { changes: [...refundChange(object, intent), ...paymentChange(intent)], links: [] };
    }
    if (type.startsWith('charge.')) {
      const intent = await intentOf(object.payment_intent);
      const refunds: Obj[] = type === 'charge.refunded' ? (object.refunds?.data ?? []) : [];
      return { changes: [...paymentChange(intent), ...refunds.flatMap((r) => refundChange(r, intent))], links: [] };
    }
    if (type.startsWith('invoice.')) {
      const customerId = idOf(object.customer);
      if (!customerId) return none;
      const orderId = map.orderOf(object.metadata);
      const changes: Change[] = [{ type: 'balance.updated', data: { customerId } }];
      if (orderId) changes.unshift({ type: 'payment.updated', data: { paymentId: object.id, orderId, customerId } });
      return { changes, links: [] };
    }
    if (type === 'customer.created' || type === 'customer.updated') {
      const graphCustomerId = object.metadata?.[settings.customerMetadataKey];
      return { changes: [], links: graphCustomerId ? [{ graphCustomerId, systemCustomerId: object.id }] : [] };
    }
    return none;
  }

  return {
    path,
    async receive(rawBody: string, headers: IncomingHttpHeaders): Promise<VendorDelivery> {
      const signature = headers['stripe-signature'];
      if (typeof signature !== 'string' || !signature) throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The delivery carries no Stripe-Signature');
      let event: unknown;
      try {
        event = await stripe.webhooks.constructEventAsync(rawBody, signature, settings.webhookSecret, settings.webhookToleranceSeconds);
      } catch (err) {
        if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
          throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The Stripe-Signature does not match, or its timestamp is outside the tolerance');
        }
        throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not a Stripe event');
      }
      const parsed = eventShape.safeParse(event);
      if (!parsed.success) throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not a Stripe event');
      const { changes, links } = await translate(parsed.data.type, parsed.data.data.object);
      return { id: parsed.data.id, changes, ...(links.length ? { links } : {}) };
    },
  };
}
