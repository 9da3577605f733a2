import { undescribed } from '../shared/privacy';
import { distinct, groupByKey } from '../shared/batch';
import type { CarrierLabel, CarrierShipment, LogisticsSource, LogisticsSystem, ReturnLabel, Shipment } from './port';
import type { LogisticsRecords, ReturnLabelRecord, ShipmentOrder } from './records';

const oldestFirst = (a: Shipment, b: Shipment) => (a.shippedAt?.getTime() ?? 0) - (b.shippedAt?.getTime() ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const newestFirst = (a: ReturnLabel, b: ReturnLabel) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const unique = <T extends { id: string }>(items: T[]) => [...new Map(items.map((i) => [i.id, i])).values()];

/** A carrier's shipment placed by the graph's map (the map wins: it is what the OMS said); null when no one knows its order. */
function placed(shipment: CarrierShipment | null, map: Map<string, ShipmentOrder>): Shipment | null {
  if (!shipment) return null;
  const known = map.get(shipment.id);
  const orderId = known?.orderId ?? shipment.orderId;
  const carrier = shipment.carrier ?? (known?.carrier as Shipment['carrier'] | undefined);
  if (!orderId || !carrier) return null;
  return { ...shipment, orderId, carrier, customerId: known ? known.customerId : shipment.customerId, lineItemIds: known?.lineItemIds ?? shipment.lineItemIds ?? [] };
}

function placedLabel(label: CarrierLabel | null, map: Map<string, ReturnLabelRecord>): ReturnLabel | null {
  if (!label) return null;
  const known = map.get(label.id);
  const returnId = known?.returnId ?? label.returnId;
  const orderId = known?.orderId ?? label.orderId;
  if (!returnId || !orderId) return null;
  return { ...label, returnId, orderId, customerId: known ? known.customerId : label.customerId };
}

/**
 * The carrier system and the graph's own records as the logistics subgraph reads them.
 *
 * Return labels are the carrier's (EasyPost: a return shipment holds the label URL, tracking code,
 * status and the refund that voids it) and the graph keeps only return id → label id: the carrier
 * has no notion of a return or an order and cannot be searched by one, and a label recorded when
 * drafted, before it is paid for, is resumed after a lost answer instead of bought twice.
 */
export function composeLogisticsSource(system: LogisticsSystem, records: LogisticsRecords): LogisticsSource {
  const shipmentMap = async (ids: readonly string[]) => new Map((await records.shipmentsById(ids)).map((s) => [s.shipmentId, s]));
  const labelMap = async (ids: readonly string[]) => new Map((await records.labelsById(ids)).map((l) => [l.labelId, l]));
  const shipments = async (found: (CarrierShipment | null)[]) => {
    const map = await shipmentMap(found.flatMap((s) => (s ? [s.id] : [])));
    return found.map((s) => placed(s, map));
  };
  const labels = async (found: (CarrierLabel | null)[]) => {
    const map = await labelMap(found.flatMap((l) => (l ? [l.id] : [])));
    return found.map((l) => placedLabel(l, map));
  };
  const labelsOfReturns = async (returnIds: readonly string[]): Promise<ReturnLabel[][]> => {
    if (returnIds.length === 0) return [];
    const recorded = (await records.labelsByReturn(returnIds)).filter((r) => r.boughtAt);
    const [mapped, own] = await Promise.all([
      recorded.length ? system.getReturnLabels(recorded.map((r) => r.labelId)).then(labels) : [],
      system.listReturnLabelsByReturn ? system.listReturnLabelsByReturn(returnIds).then((lists) => labels(lists.flat())) : [],
    ]);
    const all = unique([...mapped, ...own].filter((l): l is ReturnLabel => Boolean(l)));
    return groupByKey(returnIds, all, (l) => l.returnId).map((list) => list.sort(newestFirst));
  };
  const shipmentsOfOrders = async (orderIds: readonly string[]): Promise<Shipment[][]> => {
    if (orderIds.length === 0) return [];
    // The map and a system that knows orders are read together: the map costs no step of its own on a turn.
    const [mapped, own] = await Promise.all([
      records.shipmentsByOrder(orderIds),
      system.listShipmentsByOrder ? system.listShipmentsByOrder(orderIds).then((lists) => lists.flat()) : [],
    ]);
    const map = new Map(mapped.map((s) => [s.shipmentId, s]));
    const known = new Set(own.map((s) => s.id));
    const missing = mapped.map((s) => s.shipmentId).filter((id) => !known.has(id));
    const fromMap = missing.length ? await system.getShipments(missing) : [];
    const all = unique([...fromMap, ...own].map((s) => placed(s, map)).filter((s): s is Shipment => Boolean(s)));
    return groupByKey(orderIds, all, (s) => s.orderId).map((list) => list.sort(oldestFirst));
  };
  return {
    getShipments: async (ids) => shipments(await system.getShipments(ids)),
    getShipmentsByTrackingNumber: async (numbers) => shipments(await system.getShipmentsByTrackingNumber(numbers)),
    listShipmentsByOrder: shipmentsOfOrders,
    listTrackingEvents: (ids) => system.listTrackingEvents(ids),
    getReturnLabels: async (ids) => labels(await system.getReturnLabels(ids)),
    listReturnLabelsByReturn: labelsOfReturns,
    createReturnLabel: async (label, sender) => {
      const [existing] = await labelsOfReturns([label.returnId]);
      if (existing.length) return existing[0];
      const [recorded] = await records.labelsByReturn([label.returnId]);
      // Drafting is free: two racing requests may both draft, the first recorded is the one bought.
      const draft = recorded ?? (await records.recordDraft({ returnId: label.returnId, labelId: await system.draftReturnLabel(label, sender), orderId: label.orderId, customerId: label.customerId }, new Date()));
      const bought = await system.buyReturnLabel(draft.labelId, { ...label, id: draft.labelId });
      await records.recordBought(label.returnId, bought.id, new Date());
      return { ...bought, returnId: label.returnId, orderId: label.orderId, customerId: label.customerId };
    },
    voidReturnLabel: async (returnId, at) => {
      const [[label]] = await labelsOfReturns([returnId]);
      if (!label) return false;
      const voided = await system.voidReturnLabel(label.id, at);
      if (voided) await records.recordVoided(returnId, at);
      return voided;
    },
    registerShipments: async (parcels) => {
      if (!parcels.length) return [];
      // A system that needs no telling (the reference SQL one) is asked by tracking number.
      const found = system.followParcels ? await system.followParcels(parcels) : await system.getShipmentsByTrackingNumber(parcels.map((p) => p.trackingNumber));
      const entries = parcels.flatMap((p, i) => (found[i] ? [{ ...p, shipmentId: found[i]!.id }] : []));
      await records.registerShipments(entries, new Date());
      return (await shipments(found)).filter((s): s is Shipment => Boolean(s));
    },
    exportOrders: async (orderIds) => {
      const ids = distinct(orderIds);
      const [own, shipmentsByOrder, returnLabels] = await Promise.all([
        system.exportOrders ? system.exportOrders(ids) : {},
        shipmentsOfOrders(ids),
        records.labelsByOrder(ids),
      ]);
      if (system.exportOrders) return { ...own, shipmentMap: await records.shipmentsByOrder(ids), returnLabelMap: returnLabels };
      const all = shipmentsByOrder.flat();
      const events = (await system.listTrackingEvents(all.map((s) => s.id))).flat();
      const labelsHeld = (await labelsOfReturns(returnLabels.map((l) => l.returnId))).flat();
      return { shipments: all, trackingEvents: events, returnLabels: labelsHeld };
    },
    // The carrier keeps what it was told and saw (EasyPost has no erasure): only a system that can erase does.
    eraseOrders: async (orderIds) => (system.eraseOrders ? system.eraseOrders(orderIds) : 0),
    drainChanges: async (deliver, limit) => (await records.drainChanges(deliver, limit)) + ((await system.drainChanges?.(deliver, limit)) ?? 0),
    ping: () => system.ping(),
    privacy: system.privacy ?? undescribed('unknown'),
  };
}
