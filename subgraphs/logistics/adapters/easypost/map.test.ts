import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger } from '../../../shared/logger';
import { CARRIERS } from '../../carriers';
import { createMapper, EASYPOST_CARRIERS, EASYPOST_STATUS_DETAILS, EASYPOST_STATUSES, type EasyPostTracker } from './map';

/** The values a union type in the SDK's declarations lists ('a' | 'b' | …): what EasyPost documents. */
function documented(file: string): string[] {
  const text = readFileSync(join(process.cwd(), 'node_modules', '@easypost', 'api', 'types', 'Tracker', file), 'utf8');
  return [...text.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1]);
}

const logger = createLogger('test', 'silent');
const tracker = (over: Partial<EasyPostTracker>): EasyPostTracker => ({
  id: 'trk_1', tracking_code: 'ez 1000-000001', status: 'in_transit', status_detail: 'arrived_at_facility', carrier: 'USPS', est_delivery_date: null,
  tracking_details: [], updated_at: '2026-11-20T10:00:00Z', created_at: '2026-11-18T10:00:00Z', ...over,
});
const detail = (status: string, status_detail: string, datetime: string, message = `${status} ${status_detail}`) => ({ status, status_detail, datetime, message, carrier_code: '', tracking_location: { city: 'Leeds', state: null, country: 'GB' } });

describe('the EasyPost status table', () => {
  it('places every status and every status detail the SDK documents', () => {
    const statuses = documented('TrackerStatus.d.ts');
    const details = documented('TrackerStatusDetail.d.ts');
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    expect(details.length).toBeGreaterThanOrEqual(28);
    expect(Object.keys(EASYPOST_STATUSES).sort()).toEqual([...statuses].sort());
    expect(Object.keys(EASYPOST_STATUS_DETAILS).sort()).toEqual([...details].sort());
  });

  it.each([
    ['pre_transit', 'label_created', 'LABEL_CREATED', null],
    ['in_transit', 'arrived_at_facility', 'IN_TRANSIT', null],
    ['in_transit', 'weather_delay', 'IN_TRANSIT', 'DELAYED'],
    ['out_for_delivery', 'out_for_delivery', 'OUT_FOR_DELIVERY', null],
    ['available_for_pickup', 'arrived_at_pickup_location', 'OUT_FOR_DELIVERY', null],
    ['delivered', 'arrived_at_destination', 'DELIVERED', null],
    ['return_to_sender', 'return', 'RETURNED_TO_SENDER', null],
    ['failure', 'lost', 'EXCEPTION', 'LOST'],
    ['failure', 'damaged', 'EXCEPTION', 'DAMAGED'],
    ['failure', 'address_correction', 'EXCEPTION', 'ADDRESS_PROBLEM'],
    ['in_transit', 'held', 'IN_TRANSIT', 'CUSTOMS_HOLD'],
    ['failure', 'delivery_exception', 'EXCEPTION', 'FAILED_ATTEMPT'],
    ['failure', 'refused', 'EXCEPTION', 'FAILED_ATTEMPT'],
    ['cancelled', 'cancelled', 'EXCEPTION', 'DELAYED'],
    ['unknown', 'unknown', 'LABEL_CREATED', null],
    ['error', 'unknown', 'LABEL_CREATED', null],
  ])('%s / %s is %s with exception %s', (status, statusDetail, expected, kind) => {
    const map = createMapper({ labelValidDays: 30 }, logger);
    const last = detail(status, statusDetail, '2026-11-20T09:00:00Z', 'What the carrier said');
    const shipment = map.shipment(tracker({ status, status_detail: statusDetail, tracking_details: [last] }));
    expect(shipment.status).toBe(expected);
    expect(shipment.exception).toEqual(kind ? { kind, reportedAt: new Date('2026-11-20T09:00:00Z'), carrierMessage: 'What the carrier said' } : null);
  });

  it('keeps an unknown status as the nearest safe one (its newest placed event’s, else no news) and an unknown detail with the carrier’s text; logged once', () => {
    const warn = jest.fn();
    const map = createMapper({ labelValidDays: 30 }, { ...logger, warn } as never);
    const history = [detail('pre_transit', 'label_created', '2026-11-18T09:00:00Z'), detail('in_transit', 'departed_facility', '2026-11-19T09:00:00Z'), detail('teleported', 'beamed_up', '2026-11-20T09:00:00Z', 'Beamed up')];
    const moved = map.shipment(tracker({ status: 'teleported', status_detail: 'beamed_up', tracking_details: history }));
    expect(moved).toMatchObject({ status: 'IN_TRANSIT', exception: null, shippedAt: new Date('2026-11-19T09:00:00Z'), trackingNumber: 'EZ1000000001' });
    expect(map.events(tracker({ status: 'teleported', tracking_details: history }))[0]).toEqual({
      shipmentId: 'trk_1', occurredAt: new Date('2026-11-20T09:00:00Z'), status: 'LABEL_CREATED', carrierStatusCode: 'teleported/beamed_up', description: 'Beamed up', location: 'Leeds, GB',
    });
    expect(map.shipment(tracker({ status: 'teleported', tracking_details: [] })).status).toBe('LABEL_CREATED');
    const failed = map.shipment(tracker({ status: 'failure', status_detail: 'eaten_by_dog', tracking_details: [detail('failure', 'eaten_by_dog', '2026-11-20T09:00:00Z', 'Parcel eaten by dog')] }));
    expect(failed).toMatchObject({ status: 'EXCEPTION', exception: { kind: 'DELAYED', carrierMessage: 'Parcel eaten by dog' } });
    map.shipment(tracker({ status: 'teleported' }));
    expect(warn.mock.calls.map((c) => c[0])).toEqual([{ status: 'teleported' }, { status_detail: 'beamed_up' }, { status_detail: 'eaten_by_dog' }]);
  });
});

describe('EasyPost carriers', () => {
  it('names every carrier of the graph, and reads EasyPost’s names back (any case, service-line aliases)', () => {
    const map = createMapper({ labelValidDays: 30 }, logger);
    expect(Object.keys(EASYPOST_CARRIERS).sort()).toEqual(Object.keys(CARRIERS).sort());
    for (const [carrier, name] of Object.entries(EASYPOST_CARRIERS)) expect(map.carrier(name)).toBe(carrier);
    expect(map.carrier('fedex')).toBe('FEDEX');
    expect(map.carrier('DHLeCommerce')).toBe('DHL');
  });
  it('answers no carrier for one the graph has no name or tracking page for: the carrier the parcel was registered with stands', () => {
    const map = createMapper({ labelValidDays: 30 }, logger);
    expect(map.carrier('Canpar')).toBeNull();
    expect(map.shipment(tracker({ carrier: 'Canpar' })).carrier).toBeNull();
  });
});

describe('EasyPost return shipments as labels', () => {
  const map = createMapper({ labelValidDays: 30 }, logger);
  const shipment = { id: 'shp_1', reference: 'ret_1', is_return: true, tracking_code: '9400 1000', status: 'pre_transit', refund_status: null, selected_rate: { carrier: 'UPS' }, postage_label: { label_url: 'https://easypost-files.s3.amazonaws.com/x.pdf' }, created_at: '2026-11-20T10:00:00Z' };
  it('is a label once bought, valid the configured days, voided by a refund, expired after its days', () => {
    expect(map.label(shipment, new Date('2026-11-21T00:00:00Z'))).toEqual({
      id: 'shp_1', returnId: 'ret_1', orderId: null, customerId: null, carrier: 'UPS', trackingNumber: '94001000', labelUrl: 'https://easypost-files.s3.amazonaws.com/x.pdf', status: 'CREATED',
      createdAt: new Date('2026-11-20T10:00:00Z'), expiresAt: new Date('2026-12-20T10:00:00Z'),
    });
    expect(map.label({ ...shipment, refund_status: 'submitted' })?.status).toBe('VOIDED');
    expect(map.label({ ...shipment, refund_status: 'rejected' }, new Date('2026-11-21T00:00:00Z'))?.status).toBe('CREATED');
    expect(map.label({ ...shipment, status: 'in_transit' })?.status).toBe('IN_TRANSIT');
    expect(map.label({ ...shipment, status: 'delivered' })?.status).toBe('DELIVERED');
    expect(map.label(shipment, new Date('2027-01-01T00:00:00Z'))?.status).toBe('EXPIRED');
  });
  it('is no label while unbought, or when not a return', () => {
    expect(map.label({ ...shipment, postage_label: null, tracking_code: null })).toBeNull();
    expect(map.label({ ...shipment, is_return: false })).toBeNull();
  });
});
