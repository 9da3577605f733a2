import EasyPostClient from '@easypost/api';
import { EASYPOST_CARRIERS } from '../../../subgraphs/logistics/adapters/easypost/map';
import type { CarrierLabel, CarrierShipment, ShipmentStatus, TrackingEvent } from '../../../subgraphs/logistics/port';
import type { DemoData } from '../../fixtures/demo-data';
import type { LogisticsHeld } from '../../kits/logistics-system';
import { startEasyPostStandIn, type EasyPostStandIn } from './server';

export { startEasyPostStandIn, type EasyPostStandIn } from './server';

/** The warehouse returns go to, in tests. */
export const TEST_RETURN_ADDRESS = { company: 'Returns Centre', street1: '417 Montgomery Street', city: 'San Francisco', state: 'CA', zip: '94104', country: 'US' };
export const TEST_PARCEL = { length: 12, width: 9, height: 4, weight: 32 };

/** The customer's end of a return shipment, from an order's shipping address (EasyPost refuses a label without street, city and zip). */
export const easypostAddressOf = (a: { name: string; line1: string; line2: string | null; city: string; region: string | null; postalCode: string; country: string }) => ({
  name: a.name, street1: a.line1, ...(a.line2 ? { street2: a.line2 } : {}), city: a.city, ...(a.region ? { state: a.region } : {}), zip: a.postalCode, country: a.country,
});
export const LABEL_VALID_DAYS = 30;

export interface StartedEasyPost {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  /** The fixtures as EasyPost holds them (see loadIntoEasyPost). */
  held: LogisticsHeld;
  /** The fixtures' shipment and label ids → EasyPost's (trk_…, shp_…). */
  ids: Map<string, string>;
  standIn: EasyPostStandIn;
  /** Signs the event as EasyPost does and posts it to `url`. */
  sendWebhook(url: string, event: Record<string, unknown>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The SDK pointed at a stand-in, as the fixtures use it (no discipline: a test set-up, not the adapter). */
export const sdkFor = (s: { baseUrl: string; apiKey: string }) => new EasyPostClient(s.apiKey, { baseUrl: `${s.baseUrl}/` });

/** An EasyPost stand-in holding the fixtures, loaded through EasyPost's own API with its SDK. */
export async function startEasypost(data: DemoData): Promise<StartedEasyPost> {
  const standIn = await startEasyPostStandIn();
  try {
    const { held, ids } = await loadIntoEasyPost(sdkFor(standIn), data);
    return {
      baseUrl: standIn.baseUrl, apiKey: standIn.apiKey, webhookSecret: standIn.webhookSecret, held, ids, standIn,
      sendWebhook: (url, event) => standIn.sendWebhook(url, event),
      close: () => standIn.close(),
    };
  } catch (err) {
    await standIn.close();
    throw err;
  }
}

/** The EasyPost test code whose history ends in each status (EasyPost's EZn000000001 codes). */
const TEST_CODE: Record<ShipmentStatus, string> = { LABEL_CREATED: 'EZ1', IN_TRANSIT: 'EZ2', OUT_FOR_DELIVERY: 'EZ3', DELIVERED: 'EZ4', RETURNED_TO_SENDER: 'EZ5', EXCEPTION: 'EZ6' };
const EVENT_STATUS: Record<string, ShipmentStatus> = { pre_transit: 'LABEL_CREATED', in_transit: 'IN_TRANSIT', out_for_delivery: 'OUT_FOR_DELIVERY', delivered: 'DELIVERED', return_to_sender: 'RETURNED_TO_SENDER', failure: 'EXCEPTION' };

/**
 * Creates the fixtures in EasyPost through its API and answers them as EasyPost holds them (`held`):
 * - a shipment is a tracker (`trk_…`) on the fixture's carrier; EasyPost takes no history, so its
 *   code is the fixture's prefixed with the test code whose history ends in the fixture's status
 *   (EZ1 label created … EZ6 failure), and its events, dates and exception are that history's
 *   (an exception is EasyPost's test failure: a failed delivery attempt);
 * - EasyPost knows no order, consignee or line items (null: the graph's map has them);
 * - a return label is a bought return shipment (`shp_…`, `reference` the return's id) on the
 *   fixture's carrier; EasyPost decides its tracking code, label URL and creation time, states no
 *   expiry (the configured 30 days), and cannot be moved along through its API, so a label in
 *   transit, delivered or expired is held as created; a voided one is refunded;
 * - EasyPost knows no order or customer of a label (null).
 */
export async function loadIntoEasyPost(api: InstanceType<typeof EasyPostClient>, data: DemoData): Promise<{ held: LogisticsHeld; ids: Map<string, string> }> {
  const ids = new Map<string, string>();
  const shipments: CarrierShipment[] = [];
  const trackingEvents: TrackingEvent[] = [];
  for (const s of data.shipments) {
    const t = (await api.Tracker.create({ tracking_code: `${TEST_CODE[s.status]}${s.trackingNumber}`, carrier: EASYPOST_CARRIERS[s.carrier] })) as any;
    ids.set(s.id, t.id);
    const details: any[] = t.tracking_details;
    const at = (status: string) => details.find((d) => d.status === status)?.datetime;
    const last = details[details.length - 1];
    shipments.push({
      ...s, id: t.id, orderId: null, customerId: null, lineItemIds: null, trackingNumber: t.tracking_code,
      shippedAt: at('in_transit') ? new Date(at('in_transit')) : null,
      estimatedDeliveryAt: t.est_delivery_date ? new Date(t.est_delivery_date) : null,
      deliveredAt: s.status === 'DELIVERED' ? new Date(at('delivered')) : null,
      exception: s.status === 'EXCEPTION' ? { kind: 'FAILED_ATTEMPT', reportedAt: new Date(last.datetime), carrierMessage: last.message } : null,
      updatedAt: new Date(t.updated_at),
    });
    for (const d of details) {
      const where = d.tracking_location;
      trackingEvents.push({
        shipmentId: t.id, occurredAt: new Date(d.datetime), status: EVENT_STATUS[d.status] ?? 'LABEL_CREATED', carrierStatusCode: `${d.status}/${d.status_detail}`,
        description: d.message, location: [where.city, where.state, where.country].filter(Boolean).join(', '),
      });
    }
  }
  const returnLabels: CarrierLabel[] = [];
  for (const l of data.returnLabels) {
    const order = data.orders.find((o) => o.id === l.orderId);
    if (!order) throw new Error(`fixture label ${l.id} names no order of the fixtures`);
    const draft = (await api.Shipment.create({ is_return: true, reference: l.returnId, to_address: easypostAddressOf(order.shippingAddress), from_address: TEST_RETURN_ADDRESS, parcel: TEST_PARCEL })) as any;
    const rate = draft.rates.find((r: any) => r.carrier === EASYPOST_CARRIERS[l.carrier]);
    let bought = (await api.Shipment.buy(draft.id, rate.id)) as any;
    if (l.status === 'VOIDED') bought = await api.Shipment.refund(draft.id);
    ids.set(l.id, draft.id);
    const createdAt = new Date(bought.created_at);
    returnLabels.push({
      ...l, id: bought.id, orderId: null, customerId: null, trackingNumber: bought.tracking_code, labelUrl: bought.postage_label.label_url,
      status: l.status === 'VOIDED' ? 'VOIDED' : 'CREATED', createdAt, expiresAt: new Date(createdAt.getTime() + LABEL_VALID_DAYS * 86_400_000),
    });
  }
  return { held: { ...data, shipments, trackingEvents, returnLabels }, ids };
}
