import type { ChangeFeed } from '../shared/outbox';
export type Carrier = 'DHL' | 'UPS' | 'FEDEX' | 'DPD' | 'USPS' | 'ROYAL_MAIL' | 'LA_POSTE' | 'CORREOS';
export type ShipmentStatus = 'LABEL_CREATED' | 'IN_TRANSIT' | 'OUT_FOR_DELIVERY' | 'DELIVERED' | 'EXCEPTION' | 'RETURNED_TO_SENDER';
export type DeliveryExceptionKind = 'LOST' | 'DAMAGED' | 'ADDRESS_PROBLEM' | 'CUSTOMS_HOLD' | 'DELAYED' | 'FAILED_ATTEMPT';
export type ReturnLabelStatus = 'CREATED' | 'IN_TRANSIT' | 'DELIVERED' | 'EXPIRED' | 'VOIDED';

export interface DeliveryException {
  kind: DeliveryExceptionKind;
  reportedAt: Date;
  carrierMessage: string | null;
}

export interface TrackingEvent {
  shipmentId: string;
  occurredAt: Date;
  status: ShipmentStatus;
  carrierStatusCode: string;
  description: string;
  location: string | null;
}

export interface Shipment {
  id: string;
  orderId: string;
  /** The consignee: whose data this is (null on rows from before it was recorded). */
  customerId: string | null;
  carrier: Carrier;
  trackingNumber: string;
  status: ShipmentStatus;
  shippedAt: Date | null;
  estimatedDeliveryAt: Date | null;
  deliveredAt: Date | null;
  exception: DeliveryException | null;
  lineItemIds: string[];
  updatedAt: Date;
}

export interface ReturnLabel {
  id: string;
  returnId: string;
  orderId: string;
  customerId: string | null;
  carrier: Carrier;
  trackingNumber: string;
  labelUrl: string;
  status: ReturnLabelStatus;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * What the logistics subgraph needs from the carrier integrations. Reads take a list of keys and
 * answer in key order (null, or an empty list, for a missing key):
 *
 *   const shipments = new DataLoader((orderIds) => source.listShipmentsByOrder(orderIds));
 */
export interface LogisticsSource extends ChangeFeed {
  /** Shipments by id. */
  getShipments(ids: readonly string[]): Promise<(Shipment | null)[]>;
  /** Shipments by normalized tracking number (upper case, no spaces). */
  getShipmentsByTrackingNumber(trackingNumbers: readonly string[]): Promise<(Shipment | null)[]>;
  /** Each order's shipments, oldest first. */
  listShipmentsByOrder(orderIds: readonly string[]): Promise<Shipment[][]>;
  /** Each shipment's tracking events, newest first. */
  listTrackingEvents(shipmentIds: readonly string[]): Promise<TrackingEvent[][]>;
  /** Return labels by id. */
  getReturnLabels(ids: readonly string[]): Promise<(ReturnLabel | null)[]>;
  /** Each return's labels, newest first. */
  listReturnLabelsByReturn(returnIds: readonly string[]): Promise<ReturnLabel[][]>;
  /** Stores a return's label unless it has one; answers the return's label either way. */
  createReturnLabel(label: ReturnLabel): Promise<ReturnLabel>;
  /** Voids the return's label; false when it had none. */
  voidReturnLabel(returnId: string, at: Date): Promise<boolean>;
  /** Everything held about these orders' parcels (GDPR access): shipments, tracking events, return labels. */
  exportOrders(orderIds: readonly string[]): Promise<Record<string, unknown>>;
  /** Drops where parcels were seen and carriers' free text for these orders (GDPR erasure); the records changed. */
  eraseOrders(orderIds: readonly string[]): Promise<number>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
}
