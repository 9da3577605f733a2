import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { WebhookRefusal, type VendorDelivery, type VendorWebhook } from '../../../shared/webhooks';
import { CONTACT_ID } from './system';

export const HUBSPOT_WEBHOOK_PATH = '/webhooks/hubspot';

export interface HubspotWebhookSettings {
  webhookClientSecret: string;
  /** The target URL as set in the app's webhook settings; without it, the one the request names (Host), by https or http. */
  webhookUrl?: string;
  webhookToleranceSeconds: number;
  graphIdProperty: string;
}

/** HubSpot's v3 webhook payload: an array of events, each about one object. */
const deliveryShape = z
  .array(
    z.object({
      eventId: z.number().int(),
      subscriptionType: z.string().min(1),
      objectId: z.number().int().positive(),
      occurredAt: z.number().int(),
      propertyName: z.string().optional(),
      propertyValue: z.string().optional(),
      mergedObjectIds: z.array(z.number().int().positive()).optional(),
    }),
  )
  .min(1);

/** The contact events that change a customer as the graph reads it. */
const CONTACT_CHANGES = new Set(['contact.propertyChange', 'contact.creation', 'contact.deletion', 'contact.privacyDeletion', 'contact.restore', 'contact.merge']);

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** The signature HubSpot sends (v3): base64 HMAC-SHA256 of method, URI, body and timestamp with the app's client secret. */
export const signatureV3 = (secret: string, method: string, uri: string, body: string, timestamp: string) =>
  createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`).digest();

/**
 * HubSpot's contact webhooks: X-HubSpot-Signature-v3 checked in constant time against the URIs the
 * delivery may have been signed for, within the timestamp tolerance; every contact event of the
 * delivery becomes 'customer.updated' for that contact (HubSpot's id: the seam maps it), and a
 * change to the graph-id property is a link.
 */
export function createHubspotWebhook(settings: HubspotWebhookSettings): VendorWebhook {
  const urisFor = (headers: IncomingHttpHeaders): string[] => {
    if (settings.webhookUrl) return [settings.webhookUrl];
    const host = header(headers, 'x-forwarded-host') ?? header(headers, 'host');
    return host ? [`https://${host}${HUBSPOT_WEBHOOK_PATH}`, `http://${host}${HUBSPOT_WEBHOOK_PATH}`] : [];
  };
  return {
    path: HUBSPOT_WEBHOOK_PATH,
    async receive(rawBody, headers): Promise<VendorDelivery> {
      const signature = header(headers, 'x-hubspot-signature-v3');
      const timestamp = header(headers, 'x-hubspot-request-timestamp');
      if (!signature || !timestamp) throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The delivery carries no X-HubSpot-Signature-v3 and timestamp');
      // Milliseconds since the epoch; older (or later) than the tolerance is refused as a possible replay.
      const at = Number(timestamp);
      if (!/^\d{1,16}$/.test(timestamp) || Math.abs(Date.now() - at) > settings.webhookToleranceSeconds * 1000) {
        throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The delivery’s timestamp is outside the tolerance');
      }
      const given = Buffer.from(signature, 'base64');
      const valid = urisFor(headers).some((uri) => {
        const expected = signatureV3(settings.webhookClientSecret, 'POST', uri, rawBody, timestamp);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
      if (!valid) throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'The X-HubSpot-Signature-v3 does not match');
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not HubSpot’s webhook payload');
      }
      const parsed = deliveryShape.safeParse(json);
      if (!parsed.success) throw new WebhookRefusal(400, 'BAD_REQUEST', 'The delivery is not HubSpot’s webhook payload');
      const customerIds = new Set<string>();
      const links: { graphCustomerId: string; systemCustomerId: string }[] = [];
      for (const event of parsed.data) {
        if (!CONTACT_CHANGES.has(event.subscriptionType)) continue;
        for (const id of [event.objectId, ...(event.mergedObjectIds ?? [])].map(String)) if (CONTACT_ID.test(id)) customerIds.add(id);
        if (event.subscriptionType === 'contact.propertyChange' && event.propertyName === settings.graphIdProperty && event.propertyValue && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(event.propertyValue)) {
          links.push({ graphCustomerId: event.propertyValue, systemCustomerId: String(event.objectId) });
        }
      }
      const ids = parsed.data.map((e) => e.eventId);
      return {
        id: ids.length === 1 ? String(ids[0]) : `${ids[0]}+${ids.length - 1}`,
        changes: [...customerIds].map((customerId) => ({ type: 'customer.updated', data: { customerId } })),
        ...(links.length ? { links } : {}),
      };
    },
  };
}
