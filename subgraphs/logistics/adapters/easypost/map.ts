import type { Logger } from '../../../shared/logger';
import { normalizeTrackingNumber } from '../../carriers';
import type { Carrier, CarrierLabel, CarrierShipment, DeliveryException, DeliveryExceptionKind, ReturnLabelStatus, ShipmentStatus, TrackingEvent } from '../../port';

/** The least of EasyPost's Tracker the mapper reads (the SDK's ITracker, fields EasyPost may leave null). */
export interface EasyPostTracker {
  id: string;
  tracking_code: string;
  status: string;
  status_detail?: string | null;
  carrier: string;
  est_delivery_date?: string | null;
  tracking_details?: EasyPostTrackingDetail[] | null;
  is_return?: boolean | null;
  shipment_id?: string | null;
  updated_at: string;
  created_at: string;
}
export interface EasyPostTrackingDetail {
  message?: string | null;
  description?: string | null;
  status: string;
  status_detail?: string | null;
  datetime: string;
  carrier_code?: string | null;
  tracking_location?: { city?: string | null; state?: string | null; country?: string | null; zip?: string | null } | null;
}
/** The least of EasyPost's Shipment a return label is read from. */
export interface EasyPostShipment {
  id: string;
  reference?: string | null;
  is_return?: boolean | null;
  tracking_code?: string | null;
  status?: string | null;
  refund_status?: string | null;
  selected_rate?: { carrier: string } | null;
  postage_label?: { label_url?: string | null } | null;
  created_at: string;
}

/**
 * Every tracker `status` EasyPost documents (the SDK's ITrackerStatus) and what it is in the
 * graph's vocabulary. Where the graph has no word (no news, an error of the tracking itself) the
 * nearest safe one is said: nothing that claims the parcel moved or arrived.
 */
export const EASYPOST_STATUSES: Record<string, ShipmentStatus> = {
  unknown: 'LABEL_CREATED',
  pre_transit: 'LABEL_CREATED',
  in_transit: 'IN_TRANSIT',
  out_for_delivery: 'OUT_FOR_DELIVERY',
  // Waiting at a pickup point: the last step before the customer has it, as out for delivery is.
  available_for_pickup: 'OUT_FOR_DELIVERY',
  delivered: 'DELIVERED',
  return_to_sender: 'RETURNED_TO_SENDER',
  failure: 'EXCEPTION',
  // The carrier will not carry it any more: the customer must hear that something is wrong.
  cancelled: 'EXCEPTION',
  // EasyPost could not track the code: no news, which is all the graph may say.
  error: 'LABEL_CREATED',
};

/**
 * Every tracker `status_detail` EasyPost documents (the SDK's ITrackerStatusDetail): the delivery
 * exception it reports, or null for progress. EasyPost has no customs detail: carriers report a
 * customs hold as `held`, the one detail that places CUSTOMS_HOLD.
 */
export const EASYPOST_STATUS_DETAILS: Record<string, DeliveryExceptionKind | null> = {
  address_correction: 'ADDRESS_PROBLEM',
  arrived_at_destination: null,
  arrived_at_facility: null,
  arrived_at_pickup_location: null,
  awaiting_information: 'DELAYED',
  cancelled: 'DELAYED',
  damaged: 'DAMAGED',
  delayed: 'DELAYED',
  delivery_exception: 'FAILED_ATTEMPT',
  departed_facility: null,
  departed_origin_facility: null,
  expired: 'DELAYED',
  failure: 'DELAYED',
  held: 'CUSTOMS_HOLD',
  in_transit: null,
  label_created: null,
  lost: 'LOST',
  missorted: 'DELAYED',
  out_for_delivery: null,
  received_at_destination_facility: null,
  received_at_origin_facility: null,
  refused: 'FAILED_ATTEMPT',
  return: null,
  status_update: null,
  transferred_to_destination_carrier: null,
  transit_exception: 'DELAYED',
  unknown: null,
  weather_delay: 'DELAYED',
};

/** A shipment in EXCEPTION whose detail names no kind is at least delayed: the safe kind, the carrier's text kept. */
const SAFE_KIND: DeliveryExceptionKind = 'DELAYED';

/** EasyPost's carrier names (its `carrier` strings) for the graph's carriers; data, so a new carrier is one line. */
export const EASYPOST_CARRIERS: Record<Carrier, string> = {
  DHL: 'DHLExpress',
  UPS: 'UPS',
  FEDEX: 'FedEx',
  DPD: 'DPD',
  USPS: 'USPS',
  ROYAL_MAIL: 'RoyalMail',
  LA_POSTE: 'LaPoste',
  CORREOS: 'CorreosExpress',
};
/** More EasyPost names of the same carriers (its carrier accounts per service line). */
const CARRIER_ALIASES: Record<string, Carrier> = { DHLeCommerce: 'DHL', DHLPaket: 'DHL', DHLeCommerceAsia: 'DHL', DPDUK: 'DPD', FedExSmartPost: 'FEDEX', FedExDefault: 'FEDEX', UPSDAP: 'UPS', Correos: 'CORREOS' };
const CARRIER_BY_NAME = new Map<string, Carrier>(
  [...Object.entries(EASYPOST_CARRIERS).map(([carrier, name]) => [name, carrier as Carrier] as const), ...Object.entries(CARRIER_ALIASES)].map(([name, c]) => [name.toLowerCase(), c]),
);

export type EasyPostMapper = ReturnType<typeof createMapper>;

/** EasyPost's trackers and return shipments as the graph's shipments, events and labels; unknown values logged once each. */
export function createMapper(options: { labelValidDays: number }, logger: Logger) {
  const reported = new Set<string>();
  const once = (what: string, value: string) => {
    if (reported.has(`${what}:${value}`)) return;
    reported.add(`${what}:${value}`);
    logger.warn({ [what]: value }, `EasyPost sent a ${what} the status table does not place: kept as the nearest safe value`);
  };
  const status = (value: string): ShipmentStatus | null => {
    if (value in EASYPOST_STATUSES) return EASYPOST_STATUSES[value];
    once('status', value);
    return null;
  };
  const exceptionKind = (detail: string | null | undefined): DeliveryExceptionKind | null => {
    if (!detail) return null;
    if (detail in EASYPOST_STATUS_DETAILS) return EASYPOST_STATUS_DETAILS[detail];
    once('status_detail', detail);
    return null;
  };
  const carrier = (name: string | null | undefined): Carrier | null => {
    const found = name ? CARRIER_BY_NAME.get(name.toLowerCase()) : undefined;
    if (!found && name) once('carrier', name);
    return found ?? null;
  };
  const at = (value: string) => new Date(value);
  const details = (t: EasyPostTracker) => [...(t.tracking_details ?? [])].sort((a, b) => at(a.datetime).getTime() - at(b.datetime).getTime());
  const locationOf = (d: EasyPostTrackingDetail) => {
    const l = d.tracking_location;
    const parts = [l?.city, l?.state, l?.country].filter((p): p is string => Boolean(p));
    return parts.length ? parts.join(', ') : null;
  };
  /** The tracker's status, or for one the table does not place, its newest event's that it does, else no news. */
  const shipmentStatus = (t: EasyPostTracker): ShipmentStatus => {
    const known = status(t.status);
    if (known) return known;
    const placed = details(t).reverse().map((d) => EASYPOST_STATUSES[d.status]).find(Boolean);
    return placed ?? 'LABEL_CREATED';
  };

  return {
    status,
    exceptionKind,
    carrier,
    shipmentStatus,
    shipment(t: EasyPostTracker): CarrierShipment {
      const history = details(t);
      const current = shipmentStatus(t);
      const kind = exceptionKind(t.status_detail);
      const last = history[history.length - 1];
      const exception: DeliveryException | null =
        kind || current === 'EXCEPTION'
          ? { kind: kind ?? SAFE_KIND, reportedAt: last ? at(last.datetime) : at(t.updated_at), carrierMessage: last?.message ?? t.status_detail ?? t.status }
          : null;
      const firstMoved = history.find((d) => d.status !== 'pre_transit' && d.status !== 'unknown');
      const delivered = [...history].reverse().find((d) => d.status === 'delivered');
      return {
        id: t.id,
        orderId: null,
        customerId: null,
        lineItemIds: null,
        carrier: carrier(t.carrier),
        trackingNumber: normalizeTrackingNumber(t.tracking_code),
        status: current,
        shippedAt: firstMoved ? at(firstMoved.datetime) : null,
        estimatedDeliveryAt: t.est_delivery_date ? at(t.est_delivery_date) : null,
        deliveredAt: current === 'DELIVERED' && delivered ? at(delivered.datetime) : null,
        exception,
        updatedAt: at(t.updated_at),
      };
    },
    /** Newest first. */
    events(t: EasyPostTracker): TrackingEvent[] {
      return details(t)
        .reverse()
        .map((d) => ({
          shipmentId: t.id,
          occurredAt: at(d.datetime),
          status: status(d.status) ?? 'LABEL_CREATED',
          // EasyPost gives the carrier's own code where the carrier has one; else its own status and detail.
          carrierStatusCode: d.carrier_code || `${d.status}${d.status_detail ? `/${d.status_detail}` : ''}`,
          description: d.message ?? d.description ?? '',
          location: locationOf(d),
        }));
    },
    /** A bought return shipment as a label; null for anything else (not a return, not bought, no carrier the graph knows). */
    label(s: EasyPostShipment, now = new Date()): CarrierLabel | null {
      const url = s.postage_label?.label_url;
      const labelCarrier = carrier(s.selected_rate?.carrier);
      if (!s.is_return || !url || !s.tracking_code || !labelCarrier) return null;
      const createdAt = at(s.created_at);
      // EasyPost states no expiry: the label is valid the configured days (carriers' own windows differ).
      const expiresAt = new Date(createdAt.getTime() + options.labelValidDays * 86_400_000);
      const moving: Record<string, ReturnLabelStatus> = { in_transit: 'IN_TRANSIT', out_for_delivery: 'IN_TRANSIT', available_for_pickup: 'IN_TRANSIT', delivered: 'DELIVERED', return_to_sender: 'IN_TRANSIT' };
      const labelStatus: ReturnLabelStatus =
        s.refund_status === 'submitted' || s.refund_status === 'refunded' ? 'VOIDED' : (moving[s.status ?? ''] ?? (expiresAt < now ? 'EXPIRED' : 'CREATED'));
      return {
        id: s.id,
        returnId: s.reference || null,
        orderId: null,
        customerId: null,
        carrier: labelCarrier,
        trackingNumber: normalizeTrackingNumber(s.tracking_code),
        labelUrl: url,
        status: labelStatus,
        createdAt,
        expiresAt,
      };
    },
  };
}
