import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { WebhookRefusal, type VendorDelivery, type VendorWebhook } from '../../../shared/webhooks';
import type { EasyPostCalls } from './client';
import type { EasyPostShipment } from './map';

type Change = VendorDelivery['changes'][number];

/** EasyPost's Event envelope: the least a delivery must carry to be one. */
const eventShape = z.object({
  id: z.string().min(1),
  object: z.literal('Event'),
  description: z.string().min(1),
  result: z.object({ id: z.string().min(1).max(100), object: z.string().optional() }).passthrough(),
});

/**
 * EasyPost's webhook: X-Hmac-Signature (`hmac-sha256-hex=` and the HMAC-SHA256 of the body with
 * the webhook secret) checked by the SDK's validateWebhook, then the event translated into the
 * logistics subgraph's change events. EasyPost signs no timestamp, so a delivery cannot be judged
 * by age: what keeps a replay harmless is that a delivery only makes cached copies stale, with no
 * write and no data taken from the body: the next read asks EasyPost, whose answer is the truth.
 */
export function createEasyPostWebhook(client: EasyPostCalls, settings: { webhookSecret: string }, path = '/webhooks/easypost'): VendorWebhook {
  const labelChange = async (shipmentId: string | null | undefined): Promise<Change[]> => {
    if (!shipmentId) return [];
    // The label's return is its `reference` at EasyPost; the label id alone already reaches every cached copy.
    const shipment = (await client.readOrNull('shipments.retrieve', (a) => a.Shipment.retrieve(shipmentId))) as EasyPostShipment | null;
    if (shipment && !shipment.is_return) return [];
    return [{ type: 'return_label.updated', data: { labelId: shipmentId, ...(shipment?.reference ? { returnId: shipment.reference } : {}) } }];
  };

  async function translate(type: string, result: Record<string, any>): Promise<Change[]> {
    if (type === 'tracker.created' || type === 'tracker.updated') {
      const changes: Change[] = [{ type: 'shipment.tracking_updated', data: { shipmentId: result.id } }];
      // A return label's tracker moves the label too.
      if (result.is_return) changes.push(...(await labelChange(result.shipment_id)));
      return changes;
    }
    if (type.startsWith('refund.')) return labelChange(result.shipment_id);
    return [];
  }

  return {
    path,
    async receive(rawBody: string, headers: IncomingHttpHeaders): Promise<VendorDelivery> {
      const signature = headers['x-hmac-signature'];
      if (typeof signature !== 'string' || !signature) throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The delivery carries no X-Hmac-Signature');
      try {
        JSON.parse(rawBody);
      } catch {
        throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not an EasyPost event');
      }
      let event: unknown;
      try {
        event = client.api.Utils.validateWebhook(Buffer.from(rawBody, 'utf8'), { 'x-hmac-signature': signature }, settings.webhookSecret);
      } catch {
        throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The X-Hmac-Signature does not match');
      }
      const parsed = eventShape.safeParse(event);
      if (!parsed.success) throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not an EasyPost event');
      return { id: parsed.data.id, changes: await translate(parsed.data.description, parsed.data.result) };
    },
  };
}
