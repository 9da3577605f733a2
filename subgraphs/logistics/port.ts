import type { ChangeFeed } from '../shared/outbox';
import type { VendorWebhook } from '../shared/webhooks';
import type { SystemPrivacy } from '../shared/privacy';
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

/** What a carrier system may not know of a graph record (the order, the consignee, the parcel's line items): null there, the graph's own records fill it. */
export type AsHeld<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] | null };
/** A shipment as its carrier system holds it; a carrier it names that the graph does not know is null (the registered one stands). */
export type CarrierShipment = AsHeld<Shipment, 'orderId' | 'customerId' | 'lineItemIds' | 'carrier'>;
/** A return label as its carrier system holds it. */
export type CarrierLabel = AsHeld<ReturnLabel, 'returnId' | 'orderId' | 'customerId'>;
/** A parcel to follow: the carrier and its normalized tracking number. */
export interface Parcel {
  carrier: Carrier;
  trackingNumber: string;
}

/**
 * The system-of-record port: what a carrier system adapter implements (the reference SQL system,
 * EasyPost). Reads take a list of keys and answer in key order (null, or an empty list, for a
 * missing key); ids are the system's own (EasyPost: `trk_…` trackers, `shp_…` return shipments).
 * What the graph keeps itself (which order and customer a shipment belongs to, which label a
 * return has) is not here: see records/.
 *
 *   const shipments = new DataLoader((ids) => system.getShipments(ids));
 */
export interface LogisticsSystem extends Partial<ChangeFeed> {
  /** How far this system's API reaches for GDPR export and erasure (said in the answers to both). */
  privacy?: SystemPrivacy;
  /** Shipments by id. */
  getShipments(ids: readonly string[]): Promise<(CarrierShipment | null)[]>;
  /** Shipments by normalized tracking number (upper case, no spaces). */
  getShipmentsByTrackingNumber(trackingNumbers: readonly string[]): Promise<(CarrierShipment | null)[]>;
  /** Each order's shipments, oldest first, where the system knows orders; without it the graph's shipment map answers. */
  listShipmentsByOrder?(orderIds: readonly string[]): Promise<CarrierShipment[][]>;
  /** Starts following these parcels where the system needs telling (EasyPost creates the tracker, once per code and carrier); the system's shipment for each. */
  followParcels?(parcels: readonly Parcel[]): Promise<CarrierShipment[]>;
  /** Each shipment's tracking events, newest first. */
  listTrackingEvents(shipmentIds: readonly string[]): Promise<TrackingEvent[][]>;
  /** Return labels by id. */
  getReturnLabels(ids: readonly string[]): Promise<(CarrierLabel | null)[]>;
  /** Each return's labels, newest first, where the system knows returns; without it the graph's return-to-label map answers. */
  listReturnLabelsByReturn?(returnIds: readonly string[]): Promise<CarrierLabel[][]>;
  /**
   * Prepares a label without paying for it and answers its id (EasyPost: an unbought return shipment):
   * the graph records the id before buying, so a lost answer is resumed with the same label.
   */
  draftReturnLabel(label: ReturnLabel, sender?: Sender): Promise<string>;
  /** Buys the drafted label, at most once per id: a repeat answers the label bought. */
  buyReturnLabel(labelId: string, label: ReturnLabel): Promise<CarrierLabel>;
  /** Voids the label (EasyPost: refunds its postage); false when it was void already. */
  voidReturnLabel(labelId: string, at: Date): Promise<boolean>;
  /** What the system holds about these orders' parcels (GDPR access), where it knows orders. */
  exportOrders?(orderIds: readonly string[]): Promise<Record<string, unknown>>;
  /** Drops where parcels were seen and carriers' free text (GDPR erasure), where the system can; the records changed. */
  eraseOrders?(orderIds: readonly string[]): Promise<number>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
  /** Its vendor's webhooks, served by the subgraph (subgraphs/shared/webhooks.ts). */
  readonly webhooks?: readonly VendorWebhook[];
}

/** Where a return is sent from: the order's shipping address (IssueReturnLabelInput.sender), or its country only from an older caller. */
export interface Sender {
  country: string;
  /** Passed through to the carrier for the label, never recorded by the graph. */
  address?: SenderAddress;
}

/** The customer's postal address a return label is made from. */
export interface SenderAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}

/** Who a parcel belongs to, as the OMS's fulfilment data (or whoever ships it) tells the graph. */
export interface ShipmentRegistration extends Parcel {
  orderId: string;
  customerId: string | null;
  lineItemIds: string[];
}

/**
 * What the logistics subgraph reads and writes: the carrier system and the graph's own records
 * together (subgraphs/logistics/source.ts). Resolvers, loaders and the cache see only this:
 *
 *   const shipments = new DataLoader((orderIds) => source.listShipmentsByOrder(orderIds));
 */
export interface LogisticsSource extends ChangeFeed {
  /** The system of record's GDPR reach, named in the export and the erasure report. */
  privacy: SystemPrivacy;
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
  /** Issues a return's label unless it has one; answers the return's label either way. */
  createReturnLabel(label: ReturnLabel, sender?: Sender): Promise<ReturnLabel>;
  /** Voids the return's label; false when it had none. */
  voidReturnLabel(returnId: string, at: Date): Promise<boolean>;
  /** Records which order and customer these parcels belong to, and has the carrier follow them; the shipments. */
  registerShipments(parcels: readonly ShipmentRegistration[]): Promise<Shipment[]>;
  /** Everything held about these orders' parcels (GDPR access): shipments, tracking events, return labels. */
  exportOrders(orderIds: readonly string[]): Promise<Record<string, unknown>>;
  /** Drops where parcels were seen and carriers' free text for these orders (GDPR erasure); the records changed. */
  eraseOrders(orderIds: readonly string[]): Promise<number>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
}
