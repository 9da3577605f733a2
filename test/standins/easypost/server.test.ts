import Ajv from 'ajv';
import { easypostDefinitions } from './models';
import { startEasyPostStandIn, type EasyPostStandIn } from './server';
import { sdkFor } from '.';

type Json = Record<string, any>;
const definitions = easypostDefinitions();
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'easypost', definitions });
const model = (name: string) => ajv.compile({ $ref: `easypost#/definitions/${name}` });
/** What each route answers when it succeeds, as the SDK's models declare it. */
const OK: Record<string, (body: Json) => boolean> = {
  'POST /trackers': model('Tracker'),
  'GET /trackers': (body) => Array.isArray(body.trackers) && typeof body.has_more === 'boolean' && body.trackers.every((t: Json) => model('Tracker')(t)),
  'GET /trackers/{id}': model('Tracker'),
  'POST /shipments': model('Shipment'),
  'GET /shipments/{id}': model('Shipment'),
  'POST /shipments/{id}/buy': model('Shipment'),
  'POST /shipments/{id}/refund': model('Shipment'),
};
const errorBody = ajv.compile({ type: 'object', properties: { error: { $ref: 'easypost#/definitions/Error' } }, required: ['error'], additionalProperties: false });

describe('the EasyPost stand-in answers as the SDK’s models declare (EasyPost publishes no OpenAPI description)', () => {
  let easypost: EasyPostStandIn;
  beforeAll(async () => {
    easypost = await startEasyPostStandIn();
  });
  afterAll(() => easypost.close());
  afterEach(() => easypost.clearFaults());

  it('builds a schema for every model the stand-in answers, from the SDK’s declarations', () => {
    expect(Object.keys(definitions).sort()).toEqual(['Address', 'Error', 'Event', 'FieldError', 'Parcel', 'PostageLabel', 'Rate', 'Shipment', 'Tracker', 'TrackingDetail', 'TrackingLocation']);
    expect(definitions.Tracker.required).toEqual(expect.arrayContaining(['id', 'tracking_code', 'status', 'status_detail', 'tracking_details', 'carrier', 'is_return']));
  });

  it('every answer to the SDK’s calls, successes and refusals, is one of the declared models', async () => {
    const api = sdkFor(easypost);
    for (const code of ['EZ1000000001', 'EZ4000000004', 'EZ6000000006', 'EZ7000000007']) await api.Tracker.create({ tracking_code: code, carrier: 'USPS' });
    const tracker = (await api.Tracker.create({ tracking_code: 'EZ2000000002', carrier: 'UPS' })) as Json;
    await api.Tracker.create({ tracking_code: 'EZ2000000002', carrier: 'UPS' });
    await api.Tracker.retrieve(tracker.id);
    await api.Tracker.all({ tracking_code: 'EZ2000000002', page_size: 5 });
    const warehouse = { street1: '1 Main St', city: 'Boston', zip: '02110', country: 'US' };
    const draft = (await api.Shipment.create({ is_return: true, reference: 'ret_1', to_address: { name: 'Ada Muster', street1: 'Torstraße 1', city: 'Berlin', zip: '10119', country: 'DE' }, from_address: warehouse, parcel: { weight: 10 } })) as Json;
    await api.Shipment.retrieve(draft.id);
    await api.Shipment.buy(draft.id, draft.rates[0].id);
    await api.Shipment.refund(draft.id);
    // Refusals: an address without street, city or zip, a second buy and refund, a missing object, a bad key.
    await expect(api.Shipment.create({ is_return: true, to_address: { country: 'DE' }, from_address: warehouse, parcel: { weight: 10 } })).rejects.toMatchObject({ statusCode: 422, code: 'ADDRESS.VERIFY.FAILURE' });
    await expect(api.Shipment.create({ is_return: true, to_address: { street1: 'Torstraße 1', city: 'Berlin', zip: ' ', country: 'DE' }, from_address: warehouse, parcel: { weight: 10 } })).rejects.toMatchObject({ statusCode: 422, code: 'ADDRESS.VERIFY.FAILURE' });
    await expect(api.Shipment.buy(draft.id, draft.rates[0].id)).rejects.toMatchObject({ statusCode: 422, code: 'SHIPMENT.POSTAGE.EXISTS' });
    await expect(api.Shipment.refund(draft.id)).rejects.toMatchObject({ statusCode: 422 });
    await expect(api.Tracker.retrieve('trk_missing')).rejects.toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    await expect(sdkFor({ ...easypost, apiKey: 'EZTKwrong' }).Tracker.all({})).rejects.toMatchObject({ statusCode: 401 });
    easypost.fault({ path: '/v2/trackers', kind: '429', times: 1 });
    await expect(api.Tracker.all({})).rejects.toMatchObject({ statusCode: 429 });
    easypost.fault({ path: '/v2/trackers', kind: '500', times: 1 });
    await expect(api.Tracker.all({})).rejects.toMatchObject({ statusCode: 500 });

    expect(easypost.answers.length).toBeGreaterThanOrEqual(18);
    const refused = easypost.answers.filter((a) => a.status === 422 && a.route === '/shipments').map((a) => (a.body as Json).error.errors.map((e: Json) => e.field));
    expect(refused).toEqual([['to_address.street1', 'to_address.city', 'to_address.zip'], ['to_address.zip']]);
    for (const answer of easypost.answers) {
      const validate = answer.status < 300 ? OK[`${answer.method} ${answer.route}`] : errorBody;
      expect(validate).toBeDefined();
      const valid = validate(answer.body as Json);
      if (!valid) throw new Error(`${answer.method} ${answer.route} ${answer.status}: ${JSON.stringify((validate as { errors?: unknown }).errors)}`);
    }
  });

  it('delivers Events as the SDK declares them, signed so that the SDK’s validateWebhook accepts them', async () => {
    const api = sdkFor(easypost);
    const tracker = (await api.Tracker.create({ tracking_code: 'EZ3000000003', carrier: 'USPS' })) as Json;
    const event = easypost.event('tracker.updated', tracker.id);
    expect(model('Event')(event)).toBe(true);
    const body = JSON.stringify(event);
    expect(api.Utils.validateWebhook(Buffer.from(body), { 'X-Hmac-Signature': easypost.sign(body) }, easypost.webhookSecret)).toEqual(event);
    expect(() => api.Utils.validateWebhook(Buffer.from(body), { 'X-Hmac-Signature': easypost.sign(body, 'other') }, easypost.webhookSecret)).toThrow();
  });
});
