import { z } from 'zod';
import type { Cache } from '../shared/cache';
import { entityId, event } from '../shared/events';
import { createBatchCache, passThrough, type TtlPolicy } from '../shared/cached';
import type { LogisticsSource, ReturnLabel, Shipment, TrackingEvent } from './port';

const shipmentTags = (s: Shipment) => [`shipment:${s.id}`, `order:${s.orderId}`];
const labelTags = (l: ReturnLabel) => [`label:${l.id}`, `return:${l.returnId}`, `order:${l.orderId}`];

/** The carrier integrations behind the entity cache. */
export function withLogisticsCache(source: LogisticsSource, cache: Cache, ttl: TtlPolicy): LogisticsSource {
  const cached = createBatchCache(cache, 'logistics', ttl);
  return {
    ...passThrough(source),
    getShipments: cached<string, Shipment | null>({ type: 'Shipment', key: (id) => id, tags: (s, id) => (s ? shipmentTags(s) : [`shipment:${id}`]), load: source.getShipments }),
    getShipmentsByTrackingNumber: cached<string, Shipment | null>({
      type: 'ShipmentByTracking', key: (n) => n, tags: (s, n) => (s ? shipmentTags(s) : [`tracking:${n}`]), load: source.getShipmentsByTrackingNumber,
    }),
    listShipmentsByOrder: cached<string, Shipment[]>({
      type: 'OrderShipments', key: (id) => id, tags: (ss, id) => [`order:${id}`, ...ss.flatMap(shipmentTags)], load: source.listShipmentsByOrder,
    }),
    listTrackingEvents: cached<string, TrackingEvent[]>({ type: 'TrackingEvents', key: (id) => id, tags: (_, id) => [`shipment:${id}`], load: source.listTrackingEvents }),
    getReturnLabels: cached<string, ReturnLabel | null>({ type: 'ReturnLabel', key: (id) => id, tags: (l, id) => (l ? labelTags(l) : [`label:${id}`]), load: source.getReturnLabels }),
    listReturnLabelsByReturn: cached<string, ReturnLabel[]>({ type: 'ReturnLabels', key: (id) => id, tags: (ls, id) => [`return:${id}`, ...ls.flatMap(labelTags)], load: source.listReturnLabelsByReturn }),
    createReturnLabel: async (label, sender) => {
      const created = await source.createReturnLabel(label, sender);
      await cache.invalidateTags(labelTags(created));
      return created;
    },
    eraseOrders: async (orderIds) => {
      const shipments = (await source.listShipmentsByOrder(orderIds)).flat();
      const erased = await source.eraseOrders(orderIds);
      await cache.invalidateTags([...orderIds.map((id) => `order:${id}`), ...shipments.flatMap(shipmentTags)]);
      return erased;
    },
    registerShipments: async (parcels) => {
      const shipments = await source.registerShipments(parcels);
      await cache.invalidateTags([...parcels.map((p) => `order:${p.orderId}`), ...parcels.map((p) => `tracking:${p.trackingNumber}`), ...shipments.flatMap(shipmentTags)]);
      return shipments;
    },
    voidReturnLabel: async (returnId, at) => {
      const voided = await source.voidReturnLabel(returnId, at);
      await cache.invalidateTags([`return:${returnId}`]);
      return voided;
    },
  };
}

/**
 * Backend change events the carriers announce, and what each makes stale. A carrier knows its
 * parcel and label, not the order or return (the graph's map does): their tags already cover
 * every cached read holding them, so the order is optional.
 */
export const logisticsEvents = {
  'shipment.tracking_updated': event(z.object({ shipmentId: entityId, orderId: entityId.optional() }), (e) => [`shipment:${e.shipmentId}`, ...(e.orderId ? [`order:${e.orderId}`] : [])]),
  'return_label.updated': event(
    z.object({ labelId: entityId.optional(), returnId: entityId.optional(), orderId: entityId.optional() }).refine((e) => Boolean(e.labelId || e.returnId), 'a label or a return'),
    (e) => [...(e.labelId ? [`label:${e.labelId}`] : []), ...(e.returnId ? [`return:${e.returnId}`] : []), ...(e.orderId ? [`order:${e.orderId}`] : [])],
  ),
};
