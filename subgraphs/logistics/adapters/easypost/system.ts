import { byKey, distinct } from '../../../shared/batch';
import { AppError, badInput, ErrorCode } from '../../../shared/errors';
import { normalizeTrackingNumber } from '../../carriers';
import type { CarrierShipment, LogisticsSystem, Parcel, ReturnLabel, Sender } from '../../port';
import type { EasyPostCalls } from './client';
import { EASYPOST_CARRIERS, type EasyPostMapper, type EasyPostShipment, type EasyPostTracker } from './map';

/** A postal address as EasyPost takes it. */
export interface EasyPostAddress {
  name?: string;
  company?: string;
  street1: string;
  street2?: string;
  city: string;
  state?: string;
  zip: string;
  country: string;
  phone?: string;
  email?: string;
}

export interface EasyPostSystemSettings {
  /** Where returns go (the warehouse): the label is made from the customer's country to here. */
  returnAddress: EasyPostAddress;
  parcel: { length: number; width: number; height: number; weight: number };
}

const asTracker = (t: unknown) => t as EasyPostTracker;
const asShipment = (s: unknown) => s as EasyPostShipment;
const unavailable = (message: string) => new AppError(ErrorCode.BACKEND_UNAVAILABLE, message, { service: 'logistics' });

/** The customer's address as EasyPost takes it; the country alone when the caller sent no more (EasyPost then refuses it). */
export function easypostSender(sender: Sender): Partial<EasyPostAddress> {
  const a = sender.address;
  if (!a) return { country: sender.country };
  return { name: a.name || undefined, street1: a.line1, street2: a.line2 ?? undefined, city: a.city, state: a.region ?? undefined, zip: a.postalCode, country: a.country };
}

/** EasyPost's refusal of an address (ADDRESS.VERIFY.*, ADDRESS.PARAMETERS.*): the caller's to fix, named without the address itself. */
function refusedAddress(err: unknown): AppError | null {
  const e = err as { statusCode?: number; code?: string } | undefined;
  if (e?.statusCode !== 422 || typeof e.code !== 'string' || !e.code.startsWith('ADDRESS.')) return null;
  return badInput('The carrier refused the return’s sender address: it needs a street, a city and a postal code', { argument: 'sender' });
}

/** EasyPost as the carrier system: trackers are shipments (`trk_…`), return shipments are labels (`shp_…`). */
export function createEasyPostSystem(client: EasyPostCalls, map: EasyPostMapper, settings: EasyPostSystemSettings): Omit<LogisticsSystem, 'webhooks'> {
  const { api } = client;
  const trackers = async (ids: readonly string[]) => {
    const found = await Promise.all(distinct(ids).map((id) => client.readOrNull('trackers.retrieve', (a) => a.Tracker.retrieve(id)).then((t) => (t ? asTracker(t) : null))));
    return byKey(ids, found.filter((t): t is EasyPostTracker => Boolean(t)), (t) => t.id);
  };
  const trackerByCode = async (code: string): Promise<EasyPostTracker | null> => {
    const page = (await client.read('trackers.all', (a) => a.Tracker.all({ tracking_code: code, page_size: 5 }))) as { trackers: unknown[] };
    const found = page.trackers.map(asTracker).filter((t) => normalizeTrackingNumber(t.tracking_code) === code);
    // Newest first, as EasyPost lists: a code tracked with two carriers answers the last one asked for.
    return found[0] ?? null;
  };
  const returnShipment = (id: string) => client.readOrNull('shipments.retrieve', (a) => a.Shipment.retrieve(id)).then((s) => (s ? asShipment(s) : null));

  return {
    // EasyPost's API has no erasure: shipments, trackers and their addresses stay with the carrier.
    privacy: {
      export: { system: 'easypost', action: 'EXPORTED', detail: "The customer's parcels and return labels as EasyPost tracks them" },
      erasure: { system: 'easypost', action: 'NOT_SUPPORTED', detail: 'EasyPost has no erasure API: shipments, trackers and addresses stay at EasyPost' },
    },
    getShipments: async (ids) => (await trackers(ids)).map((t) => (t ? map.shipment(t) : null)),
    getShipmentsByTrackingNumber: async (numbers) => {
      const codes = distinct(numbers.map(normalizeTrackingNumber));
      const found = new Map(await Promise.all(codes.map(async (code) => [code, await trackerByCode(code)] as const)));
      return numbers.map((n) => {
        const t = found.get(normalizeTrackingNumber(n));
        return t ? map.shipment(t) : null;
      });
    },
    // EasyPost's create is idempotent per code and carrier: a parcel told twice is one tracker.
    followParcels: async (parcels: readonly Parcel[]): Promise<CarrierShipment[]> =>
      Promise.all(
        parcels.map(async (p) => {
          const made = await client.idempotentWrite('trackers.create', (a) => a.Tracker.create({ tracking_code: p.trackingNumber, carrier: EASYPOST_CARRIERS[p.carrier] }));
          return map.shipment(asTracker(made));
        }),
      ),
    listTrackingEvents: async (ids) => (await trackers(ids)).map((t) => (t ? map.events(t) : [])),
    getReturnLabels: async (ids) => {
      const found = await Promise.all(distinct(ids).map(async (id) => [id, (await returnShipment(id)) ?? null] as const));
      const byId = new Map(found);
      return ids.map((id) => {
        const s = byId.get(id);
        return s ? map.label(s) : null;
      });
    },
    draftReturnLabel: async (label: ReturnLabel, sender) => {
      // Creating a shipment buys nothing; `reference` keeps the return's id with it at EasyPost.
      const draft = await client.write('shipments.create', (a) =>
        a.Shipment
          .create({
            is_return: true,
            reference: label.returnId,
            // A return's label runs from the customer back to the warehouse: EasyPost swaps to and from for is_return, so the customer is `to`.
            to_address: easypostSender(sender ?? { country: settings.returnAddress.country }),
            from_address: settings.returnAddress,
            parcel: settings.parcel,
            options: { label_format: 'PDF' },
          })
          .catch((err: unknown) => Promise.reject(refusedAddress(err) ?? err)),
      );
      return asShipment(draft).id;
    },
    buyReturnLabel: async (labelId, label) => {
      const draft = (await client.read('shipments.retrieve', (a) => a.Shipment.retrieve(labelId))) as EasyPostShipment & { rates?: { id: string; carrier: string; rate: string }[] };
      const held = map.label(draft);
      if (held) return held;
      const wanted = EASYPOST_CARRIERS[label.carrier].toLowerCase();
      const known = (draft.rates ?? []).filter((r) => map.carrier(r.carrier));
      const cheapest = (rates: typeof known) => [...rates].sort((a, b) => Number(a.rate) - Number(b.rate))[0];
      const rate = cheapest(known.filter((r) => r.carrier.toLowerCase() === wanted)) ?? cheapest(known);
      if (!rate) throw unavailable('EasyPost offered no rate of a carrier the graph knows for this return');
      try {
        const bought = await client.write('shipments.buy', (a) => a.Shipment.buy(labelId, rate.id));
        const answered = map.label(asShipment(bought));
        if (answered) return answered;
      } catch (err) {
        // Bought already by a request whose answer was lost: the label is EasyPost's answer now.
        const again = await returnShipment(labelId);
        const answered = again && map.label(again);
        if (answered) return answered;
        throw err;
      }
      throw unavailable('EasyPost bought the return label but answered no label');
    },
    voidReturnLabel: async (labelId) => {
      const label = await returnShipment(labelId);
      if (!label || label.refund_status === 'submitted' || label.refund_status === 'refunded') return false;
      await client.write('shipments.refund', (a) => a.Shipment.refund(labelId));
      return true;
    },
    ping: async () => void (await client.read('trackers.all', (a) => a.Tracker.all({ page_size: 1 }))),
  };
}
