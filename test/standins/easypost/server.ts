import { createHmac, randomBytes } from 'node:crypto';
import { createFaults, type Fault } from '../faults';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for EasyPost's API v2 (npm has no emulator): node:http, in-memory state, EasyPost's
 * JSON wire format for the calls the EasyPost adapter and its fixtures make: trackers (create,
 * idempotent per code and carrier; list by code; retrieve), return shipments (create, refused
 * without street, city and zip at either end as ADDRESS.VERIFY.FAILURE; retrieve, buy, refund). EasyPost publishes no OpenAPI description: server.test.ts checks every answer
 * against the SDK's documented models (models.ts, from @easypost/api's types).
 *
 * What EasyPost's test mode decides by the tracking code, this does too: a code starting EZ1…EZ7
 * has the history of EasyPost's test code EZn000000001 (pre_transit, in_transit, out_for_delivery,
 * delivered, return_to_sender, failure, unknown); the stand-in takes any such code (EasyPost takes
 * only the ten-digit ones) so that each fixture parcel keeps a code of its own.
 */

type Obj = Record<string, any>;

/** EasyPost's test codes: the status each leads to, and its history up to it (status, status_detail, message). */
export const TEST_HISTORIES: Record<string, [string, string, string][]> = {
  EZ1: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS']],
  EZ2: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS'], ['in_transit', 'arrived_at_facility', 'Arrived at USPS Facility']],
  EZ3: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS'], ['in_transit', 'arrived_at_facility', 'Arrived at USPS Facility'], ['out_for_delivery', 'out_for_delivery', 'Out for Delivery']],
  EZ4: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS'], ['in_transit', 'arrived_at_facility', 'Arrived at USPS Facility'], ['out_for_delivery', 'out_for_delivery', 'Out for Delivery'], ['delivered', 'arrived_at_destination', 'Delivered']],
  EZ5: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS'], ['in_transit', 'arrived_at_facility', 'Arrived at USPS Facility'], ['return_to_sender', 'return', 'Return to Sender']],
  EZ6: [['pre_transit', 'label_created', 'Pre-Shipment Info Sent to USPS'], ['in_transit', 'arrived_at_facility', 'Arrived at USPS Facility'], ['failure', 'delivery_exception', 'Delivery Attempted - No Access to Delivery Location']],
  EZ7: [['unknown', 'unknown', 'Unknown']],
};
const HOURS_BEFORE_NOW = [96, 72, 24, 12];

/** The carriers the stand-in's account has, as EasyPost names them, and a rate each. */
export const STAND_IN_RATES: [string, string, string][] = [
  ['USPS', 'Priority', '7.90'], ['UPS', 'Ground', '9.40'], ['FedEx', 'FEDEX_GROUND', '9.80'], ['DHLExpress', 'DomesticExpress', '14.20'],
  ['DPD', 'Classic', '8.10'], ['RoyalMail', 'Tracked48', '5.60'], ['LaPoste', 'Colissimo', '6.90'], ['CorreosExpress', 'ePaq24', '6.40'],
];

export interface EasyPostStandIn {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  requests: { method: string; path: string }[];
  /** Every answer, for the test that validates them (method, path template, status, body). */
  answers: { method: string; route: string; status: number; body: unknown }[];
  fault(fault: Fault): () => void;
  clearFaults(): void;
  /** The carrier scans the parcel: a tracking detail is added and the tracker moves on (what EasyPost would then announce). */
  advance(trackerId: string, status: string, statusDetail: string, message: string): void;
  /** An Event as EasyPost delivers it, about a held object. */
  event(description: string, objectId: string): Obj;
  /** X-Hmac-Signature as EasyPost computes it (over the body, as the SDK normalises it). */
  sign(payload: string, secret?: string): string;
  sendWebhook(url: string, event: Obj): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

class EasyPostError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly errors: { field: string; message: string }[] = []) {
    super(message);
  }
}

export async function startEasyPostStandIn(): Promise<EasyPostStandIn> {
  const apiKey = `EZTK${randomBytes(12).toString('hex')}`;
  const webhookSecret = `whsecret-${randomBytes(8).toString('hex')}`;
  const requests: EasyPostStandIn['requests'] = [];
  const answers: EasyPostStandIn['answers'] = [];
  const trackers = new Map<string, Obj>();
  const shipments = new Map<string, Obj>();
  const faults = createFaults();
  const id = (prefix: string) => `${prefix}_${randomBytes(16).toString('hex')}`;
  const iso = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let baseUrl = '';

  function makeTracker(code: string, carrier: string, extra: Obj = {}): Obj {
    const now = new Date();
    const history = TEST_HISTORIES[code.slice(0, 3)] ?? TEST_HISTORIES.EZ7;
    const [status, detail] = history[history.length - 1];
    const details = history.map(([s, d, message], i) => ({
      object: 'TrackingDetail', message, description: '', status: s, status_detail: d,
      datetime: iso(new Date(now.getTime() - HOURS_BEFORE_NOW[HOURS_BEFORE_NOW.length - history.length + i] * 3_600_000)),
      source: carrier, carrier_code: '',
      tracking_location: { object: 'TrackingLocation', city: i === 0 ? 'SOUTH SAN FRANCISCO' : 'CHARLESTON', state: i === 0 ? 'CA' : 'SC', country: 'US', zip: null },
    }));
    return {
      id: id('trk'), object: 'Tracker', mode: 'test', tracking_code: code, status, status_detail: detail, created_at: iso(now), updated_at: iso(now),
      signed_by: status === 'delivered' ? 'John Tester' : null, weight: null,
      est_delivery_date: status === 'delivered' ? null : iso(new Date(now.getTime() + 24 * 3_600_000)),
      shipment_id: null, carrier, tracking_details: details, carrier_detail: null,
      public_url: `https://track.easypost.com/${randomBytes(9).toString('base64url')}`, fees: [], finalized: status === 'delivered', is_return: false, ...extra,
    };
  }

  const address = (a: Obj | undefined) => ({ id: id('adr'), object: 'Address', mode: 'test', verifications: {}, name: null, company: null, street1: null, street2: null, city: null, state: null, zip: null, country: null, phone: null, email: null, residential: null, ...(a ?? {}) });

  type Route = [string, RegExp, string, (body: Obj, match: RegExpMatchArray, query: URLSearchParams) => Obj];
  const routes: Route[] = [
    ['POST', /^\/v2\/trackers$/, '/trackers', (body) => {
      const { tracking_code: code, carrier } = body.tracker ?? {};
      if (typeof code !== 'string' || !code) throw new EasyPostError(422, 'TRACKER.INVALID_PARAMS', 'Tracking code is required.');
      // EasyPost's create is idempotent per code and carrier: the same tracker again.
      const existing = [...trackers.values()].find((t) => t.tracking_code === code && t.carrier === (carrier ?? 'USPS'));
      if (existing) return existing;
      const made = makeTracker(code, carrier ?? 'USPS');
      trackers.set(made.id, made);
      return made;
    }],
    ['GET', /^\/v2\/trackers$/, '/trackers', (_, __, query) => {
      const code = query.get('tracking_code');
      const size = Number(query.get('page_size') ?? 20);
      const all = [...trackers.values()].filter((t) => !code || t.tracking_code === code).reverse();
      return { trackers: all.slice(0, size), has_more: all.length > size };
    }],
    ['GET', /^\/v2\/trackers\/([^/]+)$/, '/trackers/{id}', (_, m) => {
      const found = trackers.get(m[1]);
      if (!found) throw new EasyPostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      return found;
    }],
    ['POST', /^\/v2\/shipments$/, '/shipments', (body) => {
      const s = body.shipment ?? {};
      if (!s.from_address || !s.parcel) throw new EasyPostError(422, 'SHIPMENT.INVALID_PARAMS', 'Shipment needs a from_address and a parcel.');
      // As EasyPost does, no label without a street, a city and a postal code at both ends.
      const missing = (['to_address', 'from_address'] as const).flatMap((end) =>
        (['street1', 'city', 'zip'] as const).filter((f) => typeof s[end]?.[f] !== 'string' || !s[end][f].trim()).map((f) => ({ field: `${end}.${f}`, message: 'cannot be blank' })),
      );
      if (missing.length) throw new EasyPostError(422, 'ADDRESS.VERIFY.FAILURE', 'Unable to verify address.', missing);
      const sid = id('shp');
      const now = iso(new Date());
      const shipment = {
        id: sid, object: 'Shipment', mode: 'test', created_at: now, updated_at: now, reference: s.reference ?? null, is_return: Boolean(s.is_return),
        to_address: address(s.to_address), from_address: address(s.from_address), return_address: address(s.from_address), buyer_address: address(s.to_address),
        parcel: { id: id('prcl'), object: 'Parcel', mode: 'test', created_at: now, updated_at: now, predefined_package: null, ...s.parcel },
        customs_info: null, scan_form: null, forms: [], insurance: null, options: s.options ?? {}, messages: [],
        rates: STAND_IN_RATES.map(([carrier, service, rate]) => ({
          id: id('rate'), object: 'Rate', mode: 'test', created_at: now, updated_at: now, service, carrier, rate, currency: 'USD', retail_rate: null, retail_currency: null, list_rate: rate, list_currency: 'USD',
          delivery_days: 2, delivery_date: null, delivery_date_guaranteed: false, est_delivery_days: 2, shipment_id: sid, carrier_account_id: id('ca'), billing_type: 'easypost',
        })),
        selected_rate: null, postage_label: null, tracking_code: null, usps_zone: 4, status: 'unknown', tracker: null, fees: [], refund_status: null, batch_id: null, batch_status: null, batch_message: null,
      };
      shipments.set(sid, shipment);
      return shipment;
    }],
    ['GET', /^\/v2\/shipments\/([^/]+)$/, '/shipments/{id}', (_, m) => {
      const found = shipments.get(m[1]);
      if (!found) throw new EasyPostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      return found;
    }],
    ['POST', /^\/v2\/shipments\/([^/]+)\/buy$/, '/shipments/{id}/buy', (body, m) => {
      const s = shipments.get(m[1]);
      if (!s) throw new EasyPostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      if (s.postage_label) throw new EasyPostError(422, 'SHIPMENT.POSTAGE.EXISTS', 'A shipment can only be purchased once.');
      const rate = s.rates.find((r: Obj) => r.id === body.rate?.id);
      if (!rate) throw new EasyPostError(422, 'SHIPMENT.MISSING_RATE', 'The rate is not one of this shipment’s.');
      const now = iso(new Date());
      const code = `EZ1${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`;
      const tracker = makeTracker(code, rate.carrier, { shipment_id: s.id, is_return: s.is_return });
      trackers.set(tracker.id, tracker);
      Object.assign(s, {
        selected_rate: rate, tracking_code: code, status: 'pre_transit', tracker, updated_at: now,
        postage_label: {
          id: id('pl'), object: 'PostageLabel', mode: 'test', created_at: now, updated_at: now, date_advance: 0, integrated_form: 'none', label_date: now, label_resolution: 300, label_size: '4x6',
          label_type: 'default', label_file_type: 'application/pdf', label_url: `${baseUrl}/labels/${s.id}.pdf`, label_pdf_url: `${baseUrl}/labels/${s.id}.pdf`, label_zpl_url: null, label_epl2_url: null,
        },
      });
      return s;
    }],
    ['POST', /^\/v2\/shipments\/([^/]+)\/refund$/, '/shipments/{id}/refund', (_, m) => {
      const s = shipments.get(m[1]);
      if (!s) throw new EasyPostError(404, 'NOT_FOUND', 'The requested resource could not be found.');
      if (!s.postage_label) throw new EasyPostError(422, 'SHIPMENT.REFUND.UNAVAILABLE', 'Only purchased shipments can be refunded.');
      if (s.refund_status) throw new EasyPostError(422, 'SHIPMENT.REFUND.FAILURE', 'A refund was already requested for this shipment.');
      Object.assign(s, { refund_status: 'submitted', updated_at: iso(new Date()) });
      return s;
    }],
  ];

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'X-Ep-Request-Uuid': randomBytes(8).toString('hex'), ...headers });
    res.end(JSON.stringify(body));
  };
  const errorBody = (code: string, message: string, errors: { field: string; message: string }[] = []) => ({ error: { code, message, errors } });
  const authorized = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const [user] = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString().split(':');
    return header.startsWith('Basic ') && user === apiKey;
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    requests.push({ method, path: url.pathname });
    const fault = faults.take(method, url.pathname);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') return req.socket.destroy();
    const route = routes.find(([m, pattern]) => m === method && pattern.test(url.pathname));
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      answers.push({ method, route: route?.[2] ?? url.pathname, status, body });
      send(res, status, body, headers);
    };
    if (fault?.kind === '429') return answer(429, errorBody('RATE_LIMITED', 'You have exceeded the rate limit.'), { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
    if (fault?.kind === '500') return answer(500, errorBody('INTERNAL_SERVER_ERROR', 'We’re sorry, something went wrong.'));
    if (!authorized(req)) return answer(401, errorBody('UNAUTHORIZED', 'Invalid or missing API key.'));
    if (!route) return answer(404, errorBody('NOT_FOUND', 'The requested resource could not be found.'));
    let status = 200;
    let body: unknown;
    try {
      body = route[3](raw ? (JSON.parse(raw) as Obj) : {}, url.pathname.match(route[1])!, url.searchParams);
      if (method === 'POST' && route[2] !== '/trackers' && !route[2].endsWith('/buy') && !route[2].endsWith('/refund')) status = 201;
    } catch (err) {
      if (!(err instanceof EasyPostError)) throw err;
      status = err.status;
      body = errorBody(err.code, err.message, err.errors);
    }
    if (fault?.kind === 'drop-after') return req.socket.destroy();
    answer(status, body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, errorBody('INTERNAL_SERVER_ERROR', `stand-in failure: ${(err as Error).message}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;

  // As the SDK's validateWebhook reads the body (integral weights as floats), so a signature made here verifies there.
  const sign = (payload: string, secret = webhookSecret) =>
    `hmac-sha256-hex=${createHmac('sha256', Buffer.from(secret.normalize('NFKD'), 'utf8')).update(payload.replace(/("weight":\s*)(\d+)(\s*)(?=,|\})/g, '$1$2.0'), 'utf8').digest('hex')}`;

  return {
    baseUrl, apiKey, webhookSecret, requests, answers,
    fault: faults.fault,
    clearFaults: faults.clearFaults,
    advance(trackerId, status, statusDetail, message) {
      const t = trackers.get(trackerId);
      if (!t) throw new Error(`the stand-in holds no ${trackerId}`);
      const now = iso(new Date());
      t.tracking_details.push({ object: 'TrackingDetail', message, description: '', status, status_detail: statusDetail, datetime: now, source: t.carrier, carrier_code: '', tracking_location: { object: 'TrackingLocation', city: 'CHARLESTON', state: 'SC', country: 'US', zip: null } });
      Object.assign(t, { status, status_detail: statusDetail, updated_at: now });
    },
    event(description, objectId) {
      const result = trackers.get(objectId) ?? shipments.get(objectId);
      if (!result) throw new Error(`the stand-in holds no ${objectId}`);
      const now = iso(new Date());
      return { id: id('evt'), object: 'Event', mode: 'test', description, previous_attributes: {}, created_at: now, updated_at: now, pending_urls: [], completed_urls: [], status: 'pending', result };
    },
    sign,
    async sendWebhook(url, event) {
      const payload = JSON.stringify(event);
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hmac-Signature': sign(payload) }, body: payload });
      return { status: response.status, body: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
