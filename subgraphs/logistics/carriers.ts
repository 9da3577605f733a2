import type { Carrier, ShipmentStatus } from './port';

/** Display names and public tracking pages; data, so a new carrier is one line. */
export const CARRIERS: Record<Carrier, { name: string; trackingUrl: (trackingNumber: string) => string }> = {
  DHL: { name: 'DHL', trackingUrl: (n) => `https://www.dhl.com/track?tracking-id=${encodeURIComponent(n)}` },
  UPS: { name: 'UPS', trackingUrl: (n) => `https://www.ups.com/track?tracknum=${encodeURIComponent(n)}` },
  FEDEX: { name: 'FedEx', trackingUrl: (n) => `https://www.fedex.com/fedextrack/?trknbr=${encodeURIComponent(n)}` },
  DPD: { name: 'DPD', trackingUrl: (n) => `https://tracking.dpd.de/status/en_US/parcel/${encodeURIComponent(n)}` },
  USPS: { name: 'USPS', trackingUrl: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${encodeURIComponent(n)}` },
  ROYAL_MAIL: { name: 'Royal Mail', trackingUrl: (n) => `https://www.royalmail.com/track-your-item#/tracking-results/${encodeURIComponent(n)}` },
  LA_POSTE: { name: 'La Poste', trackingUrl: (n) => `https://www.laposte.fr/outils/suivre-vos-envois?code=${encodeURIComponent(n)}` },
  CORREOS: { name: 'Correos', trackingUrl: (n) => `https://www.correos.es/es/en/tools/tracker/items/details?tracking-number=${encodeURIComponent(n)}` },
};

export const normalizeTrackingNumber = (input: string) => input.replace(/[\s-]+/g, '').toUpperCase();

/**
 * Each carrier's own status codes and what they mean in our one vocabulary. Carrier events arrive
 * with these codes; everything downstream sees only the normalized ShipmentStatus.
 */
export const CARRIER_STATUS_CODES: Record<Carrier, Record<string, ShipmentStatus>> = {
  DHL: { 'pre-transit': 'LABEL_CREATED', transit: 'IN_TRANSIT', 'out-for-delivery': 'OUT_FOR_DELIVERY', delivered: 'DELIVERED', failure: 'EXCEPTION', returned: 'RETURNED_TO_SENDER' },
  UPS: { M: 'LABEL_CREATED', I: 'IN_TRANSIT', O: 'OUT_FOR_DELIVERY', D: 'DELIVERED', X: 'EXCEPTION', RS: 'RETURNED_TO_SENDER' },
  FEDEX: { OC: 'LABEL_CREATED', IT: 'IN_TRANSIT', OD: 'OUT_FOR_DELIVERY', DL: 'DELIVERED', DE: 'EXCEPTION', RS: 'RETURNED_TO_SENDER' },
  DPD: { '01': 'LABEL_CREATED', '02': 'IN_TRANSIT', '03': 'OUT_FOR_DELIVERY', '13': 'DELIVERED', '07': 'EXCEPTION', '15': 'RETURNED_TO_SENDER' },
  USPS: { GX: 'LABEL_CREATED', T1: 'IN_TRANSIT', OF: 'OUT_FOR_DELIVERY', '01': 'DELIVERED', '16': 'EXCEPTION', '09': 'RETURNED_TO_SENDER' },
  ROYAL_MAIL: { EVNMI: 'LABEL_CREATED', EVAIP: 'IN_TRANSIT', EVKOP: 'OUT_FOR_DELIVERY', EVKSP: 'DELIVERED', EVNRT: 'EXCEPTION', EVORT: 'RETURNED_TO_SENDER' },
  LA_POSTE: { DR1: 'LABEL_CREATED', PC1: 'IN_TRANSIT', MD2: 'OUT_FOR_DELIVERY', DI1: 'DELIVERED', ND1: 'EXCEPTION', RE1: 'RETURNED_TO_SENDER' },
  CORREOS: { A: 'LABEL_CREATED', B: 'IN_TRANSIT', R: 'OUT_FOR_DELIVERY', E: 'DELIVERED', I: 'EXCEPTION', D: 'RETURNED_TO_SENDER' },
};

/** The normalized status of a carrier's code; null for a code we have not mapped yet. */
export const normalizeCarrierStatus = (carrier: Carrier, code: string): ShipmentStatus | null =>
  CARRIER_STATUS_CODES[carrier][code] ?? null;

/** The carrier's code for a normalized status (fixtures and carrier simulators). */
export function carrierStatusCode(carrier: Carrier, status: ShipmentStatus): string {
  const entry = Object.entries(CARRIER_STATUS_CODES[carrier]).find(([, s]) => s === status);
  if (!entry) throw new Error(`carrier ${carrier} has no code for ${status}`);
  return entry[0];
}

/** Who carries returns from each country; DHL where we have no local partner. */
export const RETURN_CARRIER_BY_COUNTRY: Record<string, Carrier> = {
  DE: 'DHL', AT: 'DHL', GB: 'ROYAL_MAIL', FR: 'LA_POSTE', ES: 'CORREOS', US: 'UPS',
};
export const returnCarrierFor = (country: string): Carrier => RETURN_CARRIER_BY_COUNTRY[country.toUpperCase()] ?? 'DHL';
