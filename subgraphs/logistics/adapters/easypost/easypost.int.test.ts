import { generateDemoData } from '../../../../test/fixtures/demo-data';
import { createTestDatabase } from '../../../../test/helpers/db';
import { FIXTURE_ANCHOR } from '../../../../test/helpers/stack';
import { describeLogisticsSystem } from '../../../../test/kits/logistics-system';
import { LABEL_VALID_DAYS, sdkFor, startEasypost, TEST_PARCEL, TEST_RETURN_ADDRESS, type StartedEasyPost } from '../../../../test/standins/easypost';
import { adapterSettingsFromEnv, createAdapter } from '../../../shared/adapter';
import type { AppError } from '../../../shared/errors';
import { createLogger } from '../../../shared/logger';
import { requestDeadline } from '../../../shared/resilience';
import { createVendorCallFactory } from '../../../shared/vendor';
import type { LogisticsSystem, ReturnLabel } from '../../port';
import { createLogisticsRecords } from '../../records';
import { composeLogisticsSource } from '../../source';
import { logisticsAdapters } from '..';
import { createEasyPostLogisticsSystem, easypostConfig } from '.';

const configFor = (s: { baseUrl: string; apiKey: string; webhookSecret: string }) =>
  easypostConfig.parse({ apiKey: s.apiKey, baseUrl: s.baseUrl, webhookSecret: s.webhookSecret, requestsPerSecond: '1000', returnFromAddress: JSON.stringify(TEST_RETURN_ADDRESS), parcel: JSON.stringify(TEST_PARCEL), labelValidDays: String(LABEL_VALID_DAYS) });
const logger = createLogger('test', 'silent');
/** The shared discipline in process (no Redis): a fresh one where a 429's pause must not outlive its test. */
const vendorCallsFor = (backendTimeoutMs = 2_000) => createVendorCallFactory({ service: 'logistics', namespace: `test-easypost-${process.pid}`, backendTimeoutMs, logger });

describeLogisticsSystem('easypost against the stand-in', async (data) => {
  const easypost = await startEasypost(data);
  const source = createEasyPostLogisticsSystem(configFor(easypost), { logger, vendorCalls: vendorCallsFor(5_000) });
  return { source, close: easypost.close, held: easypost.held };
});

describe('the EasyPost adapter against the stand-in: the graph’s map, labels, webhooks, faults', () => {
  const data = generateDemoData({ customers: 9, anchor: FIXTURE_ANCHOR });
  let easypost: StartedEasyPost;
  let system: LogisticsSystem;
  beforeAll(async () => {
    easypost = await startEasypost(data);
  });
  beforeEach(() => {
    system = createEasyPostLogisticsSystem(configFor(easypost), { logger, vendorCalls: vendorCallsFor() });
  });
  afterAll(() => easypost?.close());
  afterEach(() => easypost.standIn.clearFaults());
  const held = () => easypost.held;
  /** The customer's end of a return in this country: a street, a city and a postal code, as EasyPost needs. */
  const from = (country: string) => ({ country, address: { name: 'Ada Muster', line1: 'Torstraße 1', line2: 'Hinterhaus', city: 'Berlin', region: null, postalCode: '10119', country } });
  const label = (returnId: string): ReturnLabel => ({
    id: `rl_${returnId}`, returnId, orderId: data.orders[1].id, customerId: data.orders[1].customerId, carrier: 'UPS', trackingNumber: 'RTPROPOSED1',
    labelUrl: 'https://labels.example.com/proposed.pdf', status: 'CREATED', createdAt: new Date(), expiresAt: new Date(Date.now() + 30 * 86_400_000),
  });

  describe('through the graph’s own records (the seam)', () => {
    let drop: () => Promise<void>;
    let source: ReturnType<typeof composeLogisticsSource>;
    beforeAll(async () => {
      const { database, drop: dropDb } = await createTestDatabase();
      drop = dropDb;
      source = composeLogisticsSource(createEasyPostLogisticsSystem(configFor(easypost), { logger, vendorCalls: vendorCallsFor() }), await createLogisticsRecords(database.db));
    });
    afterAll(() => drop?.());

    it('a registered parcel is followed at EasyPost once and found by its order, with the consignee and line items the OMS gave', async () => {
      const order = data.orders[2];
      const parcel = { carrier: 'FEDEX' as const, trackingNumber: 'EZ4NEWPARCEL01', orderId: order.id, customerId: order.customerId, lineItemIds: ['li_1', 'li_2'] };
      const [registered] = await source.registerShipments([parcel]);
      await source.registerShipments([parcel]);
      expect(registered).toMatchObject({ id: expect.stringMatching(/^trk_/), orderId: order.id, customerId: order.customerId, lineItemIds: ['li_1', 'li_2'], carrier: 'FEDEX', status: 'DELIVERED' });
      expect(easypost.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v2/trackers').length).toBeGreaterThanOrEqual(2);
      const trackers = (await sdkFor(easypost).Tracker.all({ tracking_code: 'EZ4NEWPARCEL01' })) as { trackers: unknown[] };
      expect(trackers.trackers).toHaveLength(1);
      await expect(source.listShipmentsByOrder([order.id])).resolves.toEqual([[registered]]);
      await expect(source.getShipmentsByTrackingNumber(['ez4-newparcel01'.toUpperCase().replace('-', '')])).resolves.toEqual([registered]);
      // A tracker no one registered has no order: the graph does not show it.
      await expect(source.getShipments([held().shipments[0].id])).resolves.toEqual([null]);
    });

    it('a return’s label is bought once: a repeat, an answer lost after the buy, and a buy that failed are resumed, never bought twice', async () => {
      const buys = () => easypost.standIn.requests.filter((r) => r.method === 'POST' && /\/buy$/.test(r.path)).length;
      const drafts = () => easypost.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v2/shipments').length;
      const [buysBefore, draftsBefore] = [buys(), drafts()];
      // The buy happened, its answer was lost: EasyPost's shipment is read back, not bought again.
      easypost.standIn.fault({ path: /^\/v2\/shipments\/[^/]+\/buy$/, kind: 'drop-after', times: 1 });
      const first = await source.createReturnLabel(label('ret_once'), from('DE'));
      const again = await source.createReturnLabel({ ...label('ret_once'), id: 'rl_other' }, from('DE'));
      expect(again).toEqual(first);
      expect(first).toMatchObject({ id: expect.stringMatching(/^shp_/), returnId: 'ret_once', orderId: data.orders[1].id, carrier: 'UPS', status: 'CREATED', labelUrl: expect.stringContaining('/labels/') });
      expect([buys() - buysBefore, drafts() - draftsBefore]).toEqual([1, 1]);
      // A buy that failed (a write: not retried) leaves the recorded draft, which the next request buys.
      easypost.standIn.fault({ path: /^\/v2\/shipments\/[^/]+\/buy$/, kind: '500', times: 1 });
      await expect(source.createReturnLabel(label('ret_twice'), from('FR'))).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      const resumed = await source.createReturnLabel(label('ret_twice'), from('FR'));
      expect([buys() - buysBefore, drafts() - draftsBefore]).toEqual([3, 2]);
      await expect(sdkFor(easypost).Shipment.retrieve(resumed.id)).resolves.toMatchObject({ reference: 'ret_twice', is_return: true, to_address: expect.objectContaining({ country: 'FR' }) });
      await expect(source.listReturnLabelsByReturn(['ret_once'])).resolves.toEqual([[first]]);
      await expect(source.voidReturnLabel('ret_once', new Date())).resolves.toBe(true);
      await expect(source.voidReturnLabel('ret_once', new Date())).resolves.toBe(false);
      await expect(source.getReturnLabels([first.id])).resolves.toEqual([{ ...first, status: 'VOIDED' }]);
      expect(((await sdkFor(easypost).Shipment.retrieve(first.id)) as { refund_status: string }).refund_status).toBe('submitted');
    });

    it('a return’s label is made from the customer’s address; one without street, city and postal code is refused as EasyPost refuses it, and nothing is recorded', async () => {
      const made = await source.createReturnLabel(label('ret_address'), from('DE'));
      // EasyPost swaps to and from on an is_return shipment: the customer is `to`, the label runs from there to the warehouse.
      await expect(sdkFor(easypost).Shipment.retrieve(made.id)).resolves.toMatchObject({
        is_return: true, reference: 'ret_address',
        to_address: expect.objectContaining({ name: 'Ada Muster', street1: 'Torstraße 1', street2: 'Hinterhaus', city: 'Berlin', zip: '10119', country: 'DE' }),
        from_address: expect.objectContaining({ street1: TEST_RETURN_ADDRESS.street1, zip: TEST_RETURN_ADDRESS.zip }),
      });
      const drafts = () => easypost.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v2/shipments').length;
      const before = drafts();
      const refused = source.createReturnLabel(label('ret_no_street'), { country: 'DE' });
      await expect(refused).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.not.stringMatching(/ADDRESS\.|verify/i) });
      const blank = { ...from('DE'), address: { ...from('DE').address, city: '' } };
      await expect(source.createReturnLabel(label('ret_no_street'), blank)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      // Refused at EasyPost, once each (a refusal is not retried), and no draft recorded: the next request with the address makes the label.
      expect(drafts() - before).toBe(2);
      await expect(source.listReturnLabelsByReturn(['ret_no_street'])).resolves.toEqual([[]]);
      await expect(source.createReturnLabel(label('ret_no_street'), from('DE'))).resolves.toMatchObject({ returnId: 'ret_no_street', status: 'CREATED' });
    });
  });

  describe('webhooks (X-Hmac-Signature verified by the SDK)', () => {
    const webhook = () => system.webhooks![0];
    const receive = (event: object, secret?: string) => {
      const body = JSON.stringify(event);
      return webhook().receive(body, { 'x-hmac-signature': easypost.standIn.sign(body, secret) });
    };

    it('translates tracker.updated into the shipment’s change, and a return label’s tracker into the label’s too', async () => {
      const shipment = held().shipments[0];
      const event = easypost.standIn.event('tracker.updated', shipment.id);
      await expect(receive(event)).resolves.toEqual({ id: event.id, changes: [{ type: 'shipment.tracking_updated', data: { shipmentId: shipment.id } }] });
      const returned = held().returnLabels[0];
      const tracker = ((await sdkFor(easypost).Shipment.retrieve(returned.id)) as { tracker: { id: string } }).tracker.id;
      await expect(receive(easypost.standIn.event('tracker.updated', tracker))).resolves.toMatchObject({
        changes: [{ type: 'shipment.tracking_updated', data: { shipmentId: tracker } }, { type: 'return_label.updated', data: { labelId: returned.id, returnId: returned.returnId } }],
      });
    });

    it('translates a refund of a return label’s postage (refund.successful) into the label’s change; a refund of another shipment changes nothing', async () => {
      const voided = held().returnLabels.find((l) => l.status === 'VOIDED') ?? held().returnLabels[0];
      const refund = (shipmentId: string) => ({ ...easypost.standIn.event('refund.successful', voided.id), result: { id: 'rfnd_1', object: 'Refund', shipment_id: shipmentId, status: 'refunded', tracking_code: voided.trackingNumber } });
      await expect(receive(refund(voided.id))).resolves.toMatchObject({ changes: [{ type: 'return_label.updated', data: { labelId: voided.id, returnId: voided.returnId } }] });
      const outbound = (await sdkFor(easypost).Shipment.create({ to_address: { name: 'Sam Tester', street1: '1 Main St', city: 'Boston', state: 'MA', zip: '02110', country: 'US' }, from_address: TEST_RETURN_ADDRESS, parcel: TEST_PARCEL })) as { id: string };
      await expect(receive(refund(outbound.id))).resolves.toMatchObject({ changes: [] });
    });

    it('acknowledges a signed event of a type the graph does not use with no changes', async () => {
      const event = easypost.standIn.event('batch.updated', held().shipments[0].id);
      await expect(receive(event)).resolves.toEqual({ id: event.id, changes: [] });
    });

    it('refuses a bad, missing or tampered signature (401), and what is not an EasyPost event (400)', async () => {
      const event = easypost.standIn.event('tracker.updated', held().shipments[0].id);
      await expect(receive(event, 'not-the-secret')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      await expect(webhook().receive(JSON.stringify(event), {})).rejects.toMatchObject({ status: 401 });
      const body = JSON.stringify(event);
      await expect(webhook().receive(body.replace(held().shipments[0].id, held().shipments[1].id), { 'x-hmac-signature': easypost.standIn.sign(body) })).rejects.toMatchObject({ status: 401 });
      await expect(receive({ hello: 'world' })).rejects.toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      await expect(webhook().receive('not json', { 'x-hmac-signature': easypost.standIn.sign('not json') })).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('faults, through the vendor-call discipline, within the request’s deadline', () => {
    const shipment = () => held().shipments[0];
    const path = () => `/v2/trackers/${shipment().id}`;
    const within = async <T>(deadlineMs: number, read: () => Promise<T>) => {
      const started = Date.now();
      const outcome = await requestDeadline.run(started + deadlineMs, read).then((value) => ({ value }), (error) => ({ error }));
      return { ...outcome, elapsed: Date.now() - started } as { value?: T; error?: AppError; elapsed: number };
    };

    it('429 with a Retry-After that fits: retried, answered', async () => {
      easypost.standIn.fault({ path: path(), kind: '429', times: 1, retryAfterSeconds: 0.2 });
      const { value, elapsed } = await within(1_500, () => system.getShipments([shipment().id]));
      expect(value).toEqual([shipment()]);
      expect(elapsed).toBeGreaterThanOrEqual(190);
    });

    it('429 with a Retry-After past the deadline: OVERLOADED at once, the service named', async () => {
      easypost.standIn.fault({ path: path(), kind: '429', retryAfterSeconds: 30 });
      const { error, elapsed } = await within(800, () => system.getShipments([shipment().id]));
      expect(error).toMatchObject({ code: 'OVERLOADED', details: expect.objectContaining({ service: 'logistics' }) });
      expect(elapsed).toBeLessThan(800);
    });

    it('500s: retried, then BACKEND_UNAVAILABLE; one 500: answered', async () => {
      easypost.standIn.fault({ path: '/v2/trackers', method: 'GET', kind: '500', times: 1 });
      await expect(within(1_500, () => system.getShipmentsByTrackingNumber([shipment().trackingNumber]))).resolves.toMatchObject({ value: [shipment()] });
      easypost.standIn.fault({ path: '/v2/trackers', method: 'GET', kind: '500' });
      const { error, elapsed } = await within(1_500, () => system.getShipmentsByTrackingNumber([shipment().trackingNumber]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.not.stringMatching(/easypost|sorry/i) });
      expect(elapsed).toBeLessThan(1_500 + 400);
    });

    it('a hang: BACKEND_TIMEOUT within the deadline', async () => {
      easypost.standIn.fault({ path: path(), kind: 'hang' });
      const { error, elapsed } = await within(600, () => system.listTrackingEvents([shipment().id]));
      expect(error).toMatchObject({ code: 'BACKEND_TIMEOUT', details: { service: 'logistics' } });
      expect(elapsed).toBeLessThan(600 + 400);
    });

    it('a dropped connection: BACKEND_UNAVAILABLE within the deadline', async () => {
      easypost.standIn.fault({ path: /^\/v2\/shipments\//, kind: 'drop' });
      const { error, elapsed } = await within(1_000, () => system.getReturnLabels([held().returnLabels[0].id]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect(elapsed).toBeLessThan(1_000 + 400);
    });
  });
});

describe('EasyPost adapter settings (LOGISTICS_EASYPOST_*)', () => {
  const deps = { db: undefined as never, logger, vendorCalls: vendorCallsFor() };
  const address = JSON.stringify(TEST_RETURN_ADDRESS);
  it('has no default for the API key, and a bad one is refused naming its variable, never its value', async () => {
    await expect(createAdapter(logisticsAdapters, 'easypost', adapterSettingsFromEnv('logistics', 'easypost', { LOGISTICS_EASYPOST_RETURN_FROM_ADDRESS: address }), deps, 'logistics')).rejects.toThrow(/LOGISTICS_EASYPOST_API_KEY/);
    const refusal = createAdapter(logisticsAdapters, 'easypost', adapterSettingsFromEnv('logistics', 'easypost', { LOGISTICS_EASYPOST_API_KEY: 'sk_oops123', LOGISTICS_EASYPOST_RETURN_FROM_ADDRESS: address }), deps, 'logistics');
    await expect(refusal).rejects.toThrow(/LOGISTICS_EASYPOST_API_KEY/);
    await expect(refusal).rejects.not.toThrow(/oops123/);
  });
  it('reads the rest from the environment with EasyPost’s defaults', () => {
    const config = easypostConfig.parse(adapterSettingsFromEnv('logistics', 'easypost', { LOGISTICS_EASYPOST_API_KEY: 'EZTKabc123', LOGISTICS_EASYPOST_RETURN_FROM_ADDRESS: address, LOGISTICS_EASYPOST_REQUESTS_PER_SECOND: '7' }));
    expect(config).toMatchObject({ baseUrl: 'https://api.easypost.com/v2/', requestsPerSecond: 7, returnFromAddress: TEST_RETURN_ADDRESS, parcel: TEST_PARCEL, labelValidDays: 30 });
    expect(config.webhookSecret).toBeUndefined();
  });
});
