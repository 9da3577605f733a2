import { createHmac, randomUUID } from 'node:crypto';
import { createFaults, type Fault } from '../faults';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for HubSpot's CRM v3 API (npm has no HubSpot emulator): node:http, in-memory state,
 * HubSpot's wire format for what the HubSpot adapter and its fixtures call (contacts: create, read,
 * update, batch read by id or by a unique property, search, GDPR delete; contact and note properties: list,
 * create; notes upserted by a unique property and associated with a contact: the engagements),
 * a private app's Bearer token, and webhooks signed with X-HubSpot-Signature-v3. Every answer is
 * checked against HubSpot's OpenAPI descriptions in server.test.ts.
 *
 * Search answers at once (HubSpot's search index lags writes by a few seconds), and its limits are
 * HubSpot's documented ones: 5 filter groups, 6 filters per group, 18 in all, 100 values per IN,
 * 200 results per page.
 */

type Obj = Record<string, any>;

/** One webhook event as HubSpot's webhooks API (v3 payload) sends it; a delivery is an array of them. */
export interface HubspotEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeSource?: string;
  propertyName?: string;
  propertyValue?: string;
  mergedObjectIds?: number[];
}

export interface HubspotStandIn {
  /** What the SDK's `basePath` is set to. */
  basePath: string;
  accessToken: string;
  /** The app's client secret, which signs webhooks (v3). */
  webhookClientSecret: string;
  portalId: number;
  /** Every request received, in order: for tests counting calls. */
  requests: { method: string; path: string; body: string }[];
  /** Requests a 'hang' fault holds whose connection the client has not closed yet. */
  hanging(): number;
  /** The notes associated with a contact, as HubSpot holds them: for tests of the engagements. */
  notesOf(contactId: string): { id: string; properties: Record<string, string> }[];
  fault(fault: Fault): () => void;
  clearFaults(): void;
  /** A webhook event about a contact, as HubSpot would send it. */
  event(subscriptionType: string, contactId: string, change?: { propertyName: string; propertyValue: string }): HubspotEvent;
  /** X-HubSpot-Signature-v3: base64(HMAC-SHA256(client secret, method + uri + body + timestamp)). */
  sign(method: string, uri: string, body: string, timestamp: number, secret?: string): string;
  /** Posts the events to `url` as one delivery, signed like HubSpot; answers the receiver's status and body. */
  sendWebhook(url: string, events: HubspotEvent[]): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface StandInOptions {
  accessToken?: string;
  webhookClientSecret?: string;
}

class HubspotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly context?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** A contact property as HubSpot defines it (the ones the adapter reads are HubSpot's own, plus those the brand creates). */
interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'enumeration' | 'date' | 'datetime' | 'number' | 'bool' | 'phone_number';
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  hasUniqueValue: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  createdAt: string;
  updatedAt: string;
}

const text = (name: string, label: string, type: PropertyDefinition['type'] = 'string', fieldType = 'text'): Omit<PropertyDefinition, 'createdAt' | 'updatedAt'> => ({
  name, label, type, fieldType, groupName: 'contactinformation', description: '', options: [], hasUniqueValue: false, hubspotDefined: true, calculated: false,
});
/** HubSpot's hs_language options (a selection of its list: language, or language-region). */
export const HS_LANGUAGES = ['de', 'de-at', 'de-ch', 'en', 'en-au', 'en-ca', 'en-gb', 'en-us', 'es', 'es-mx', 'fr', 'fr-be', 'fr-ca', 'it', 'nl', 'pl', 'pt', 'pt-br', 'sv', 'ja', 'zh-cn', 'zh-tw'];
const CONTACT_PROPERTIES: Omit<PropertyDefinition, 'createdAt' | 'updatedAt'>[] = [
  { ...text('email', 'Email'), hasUniqueValue: false },
  text('firstname', 'First Name'), text('lastname', 'Last Name'),
  text('phone', 'Phone Number', 'string', 'phonenumber'), text('mobilephone', 'Mobile Phone Number', 'string', 'phonenumber'),
  text('date_of_birth', 'Date of birth'), text('address', 'Street Address'), text('city', 'City'), text('state', 'State/Region'),
  text('zip', 'Postal Code'), text('country', 'Country/Region'),
  { ...text('hs_language', 'Preferred language', 'enumeration', 'select'), options: HS_LANGUAGES.map((value, i) => ({ label: value, value, displayOrder: i, hidden: false })) },
  { ...text('createdate', 'Create Date', 'datetime', 'date'), calculated: false },
  { ...text('lastmodifieddate', 'Last Modified Date', 'datetime', 'date'), calculated: true },
  { ...text('hs_object_id', 'Record ID', 'number', 'number'), calculated: true },
];
const NOTE_PROPERTIES: Omit<PropertyDefinition, 'createdAt' | 'updatedAt'>[] = [
  { ...text('hs_note_body', 'Note body', 'string', 'html'), groupName: 'engagement' },
  { ...text('hs_timestamp', 'Activity date', 'datetime', 'date'), groupName: 'engagement' },
  { ...text('hs_object_id', 'Record ID', 'number', 'number'), calculated: true },
  { ...text('hs_createdate', 'Created at', 'datetime', 'date'), calculated: true },
  { ...text('hs_lastmodifieddate', 'Last modified', 'datetime', 'date'), calculated: true },
];
/** Answered whatever properties are asked for, as HubSpot does. */
const ALWAYS = ['createdate', 'hs_object_id', 'lastmodifieddate'];
const SEARCH = { groups: 5, filtersPerGroup: 6, filters: 18, inValues: 100, pageSize: 200 };

interface Note {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  contacts: Set<string>;
}

interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export async function startHubspotStandIn(options: StandInOptions = {}): Promise<HubspotStandIn> {
  const accessToken = options.accessToken ?? `pat-eu1-${randomUUID()}`;
  const webhookClientSecret = options.webhookClientSecret ?? randomUUID();
  const portalId = 14_000_000 + Math.floor(Math.random() * 1_000_000);
  const requests: HubspotStandIn['requests'] = [];
  const faults = createFaults();
  const hung = new Set<IncomingMessage>();
  const started = new Date().toISOString();
  const definitions = (list: typeof CONTACT_PROPERTIES) => new Map<string, PropertyDefinition>(list.map((p) => [p.name, { ...p, createdAt: started, updatedAt: started }]));
  const propertiesOf: Record<string, Map<string, PropertyDefinition>> = { contacts: definitions(CONTACT_PROPERTIES), notes: definitions(NOTE_PROPERTIES) };
  const properties = propertiesOf.contacts;
  const contacts = new Map<string, Contact>();
  const notes = new Map<string, Note>();
  let nextId = 101;
  let nextEvent = 1;

  const renderProperty = (p: PropertyDefinition) => ({ ...p, archived: false, displayOrder: -1, formField: false, modificationMetadata: { archivable: !p.hubspotDefined, readOnlyDefinition: p.hubspotDefined, readOnlyValue: p.calculated } });
  const render = (c: Contact, asked: readonly string[] | undefined) => {
    const names = [...new Set([...(asked?.length ? asked : ['firstname', 'lastname', 'email']), ...ALWAYS])];
    return {
      id: c.id,
      // A property asked for and never set answers null; one HubSpot does not know is left out.
      properties: Object.fromEntries(names.filter((n) => properties.has(n)).map((n) => [n, c.properties[n] ?? null])),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      archived: false,
    };
  };
  const notFound = (id: string) => new HubspotError(404, 'OBJECT_NOT_FOUND', `Object not found.  objectId are usually numeric.`, { id: [id] });

  function checkValues(input: Obj, known = properties): Record<string, string> {
    if (!input || typeof input !== 'object') throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
    const out: Record<string, string> = {};
    for (const [name, raw] of Object.entries(input)) {
      const p = known.get(name);
      if (!p) throw new HubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: [{"isValid":false,"message":"Property \\"${name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${name}"}]`);
      if (p.calculated) throw new HubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: [{"isValid":false,"message":"\\"${name}\\" is a read only property; its value cannot be set.","error":"READ_ONLY_VALUE","name":"${name}"}]`);
      const value = raw === null || raw === undefined ? '' : String(raw);
      if (p.type === 'enumeration' && value && !p.options.some((o) => o.value === value)) {
        throw new HubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: [{"isValid":false,"message":"${value} was not one of the allowed options","error":"INVALID_OPTION","name":"${name}"}]`);
      }
      if (name === 'email' && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new HubspotError(400, 'VALIDATION_ERROR', `Property values were not valid: [{"isValid":false,"message":"Email address ${value} is invalid","error":"INVALID_EMAIL","name":"email"}]`);
      out[name] = value;
    }
    return out;
  }
  /** Email and every unique-value property hold each value once (case-insensitive for email, as HubSpot). */
  function checkUnique(values: Record<string, string>, except?: string) {
    for (const [name, value] of Object.entries(values)) {
      if (!value || !(name === 'email' || properties.get(name)?.hasUniqueValue)) continue;
      const same = (v: string | undefined) => (name === 'email' ? v?.toLowerCase() === value.toLowerCase() : v === value);
      const clash = [...contacts.values()].find((c) => c.id !== except && same(c.properties[name]));
      if (clash) throw new HubspotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${clash.id}`);
    }
  }
  const findBy = (idProperty: string | undefined, key: string) => {
    if (!idProperty || idProperty === 'hs_object_id') return contacts.get(key);
    const p = properties.get(idProperty);
    if (!p || !(idProperty === 'email' || p.hasUniqueValue)) throw new HubspotError(400, 'VALIDATION_ERROR', `${idProperty} is not a unique property`);
    return [...contacts.values()].find((c) => (idProperty === 'email' ? c.properties.email?.toLowerCase() === key.toLowerCase() : c.properties[idProperty] === key));
  };
  const askedProperties = (value: unknown): string[] | undefined =>
    Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? value.split(',') : undefined;

  function matches(c: Contact, filter: Obj): boolean {
    const value = filter.propertyName === 'hs_object_id' ? c.id : c.properties[filter.propertyName];
    // String comparisons in HubSpot's search ignore case.
    const eq = (a: string | undefined, b: unknown) => a !== undefined && a !== '' && a.toLowerCase() === String(b).toLowerCase();
    switch (filter.operator) {
      case 'EQ': return eq(value, filter.value);
      case 'NEQ': return !eq(value, filter.value);
      case 'IN': return (filter.values ?? []).some((v: unknown) => eq(value, v));
      case 'HAS_PROPERTY': return value !== undefined && value !== '';
      case 'NOT_HAS_PROPERTY': return value === undefined || value === '';
      default: throw new HubspotError(400, 'VALIDATION_ERROR', `Unsupported filter operator ${filter.operator}`);
    }
  }

  function search(body: Obj) {
    const groups: Obj[] = body.filterGroups ?? [];
    const total = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (groups.length > SEARCH.groups) throw new HubspotError(400, 'VALIDATION_ERROR', `Too many filter groups (${groups.length}). The maximum number of filter groups is ${SEARCH.groups}.`);
    if (groups.some((g) => (g.filters?.length ?? 0) > SEARCH.filtersPerGroup) || total > SEARCH.filters) throw new HubspotError(400, 'VALIDATION_ERROR', `Too many filters. The maximum is ${SEARCH.filtersPerGroup} per group and ${SEARCH.filters} in all.`);
    if (groups.some((g) => (g.filters ?? []).some((f: Obj) => (f.values?.length ?? 0) > SEARCH.inValues))) throw new HubspotError(400, 'VALIDATION_ERROR', `Too many values in an IN filter. The maximum is ${SEARCH.inValues}.`);
    for (const f of groups.flatMap((g) => g.filters ?? [])) {
      if (f.propertyName !== 'hs_object_id' && !properties.has(f.propertyName)) throw new HubspotError(400, 'VALIDATION_ERROR', `There was a problem with the request: property ${f.propertyName} does not exist`);
    }
    const limit = Math.min(Number(body.limit ?? 10), SEARCH.pageSize);
    const after = Number(body.after ?? 0);
    const found = [...contacts.values()].filter((c) => !groups.length || groups.some((g) => (g.filters ?? []).every((f: Obj) => matches(c, f)))).sort((a, b) => Number(a.id) - Number(b.id));
    const page = found.slice(after, after + limit);
    return {
      total: found.length,
      results: page.map((c) => render(c, askedProperties(body.properties))),
      ...(after + limit < found.length ? { paging: { next: { after: String(after + limit) } } } : {}),
    };
  }

  const nowIso = () => new Date().toISOString();
  const routes: [string, RegExp, (body: Obj, query: URLSearchParams, match: RegExpMatchArray) => { status: number; body?: unknown }][] = [
    ['GET', /^\/crm\/v3\/properties\/(contacts|notes)$/, (_, __, match) => ({ status: 200, body: { results: [...propertiesOf[match[1]].values()].map(renderProperty) } })],
    ['POST', /^\/crm\/v3\/properties\/(contacts|notes)$/, (body, _, match) => {
      const properties = propertiesOf[match[1]];
      if (typeof body.name !== 'string' || !/^[a-z][a-z0-9_]{0,99}$/.test(body.name)) throw new HubspotError(400, 'VALIDATION_ERROR', 'Property name must be lower case letters, digits and underscores');
      if (properties.has(body.name)) throw new HubspotError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`);
      if (body.type === 'enumeration' && !Array.isArray(body.options)) throw new HubspotError(400, 'VALIDATION_ERROR', 'An enumeration property needs options');
      const at = nowIso();
      const made: PropertyDefinition = {
        name: body.name, label: body.label ?? body.name, type: body.type ?? 'string', fieldType: body.fieldType ?? 'text', groupName: body.groupName ?? 'contactinformation',
        description: body.description ?? '', hasUniqueValue: body.hasUniqueValue === true, hubspotDefined: false, calculated: false, createdAt: at, updatedAt: at,
        options: (body.options ?? []).map((o: Obj, i: number) => ({ label: String(o.label), value: String(o.value), displayOrder: o.displayOrder ?? i, hidden: o.hidden === true })),
      };
      properties.set(made.name, made);
      return { status: 201, body: renderProperty(made) };
    }],
    ['GET', /^\/crm\/v3\/objects\/contacts$/, (_, query) => {
      const limit = Math.min(Number(query.get('limit') ?? 10), 100);
      const after = Number(query.get('after') ?? 0);
      const all = [...contacts.values()];
      return { status: 200, body: { results: all.slice(after, after + limit).map((c) => render(c, askedProperties(query.get('properties')))), ...(after + limit < all.length ? { paging: { next: { after: String(after + limit), link: '' } } } : {}) } };
    }],
    ['POST', /^\/crm\/v3\/objects\/contacts$/, (body) => {
      const values = checkValues(body.properties);
      checkUnique(values);
      const at = nowIso();
      const id = String(nextId++);
      const contact: Contact = { id, properties: { ...values, createdate: at, lastmodifieddate: at, hs_object_id: id }, createdAt: at, updatedAt: at };
      contacts.set(id, contact);
      return { status: 201, body: render(contact, Object.keys(values)) };
    }],
    ['GET', /^\/crm\/v3\/objects\/contacts\/([^/]+)$/, (_, query, match) => {
      const key = decodeURIComponent(match[1]);
      const found = findBy(query.get('idProperty') ?? undefined, key);
      if (!found) throw notFound(key);
      return { status: 200, body: render(found, askedProperties(query.get('properties'))) };
    }],
    ['PATCH', /^\/crm\/v3\/objects\/contacts\/([^/]+)$/, (body, query, match) => {
      const key = decodeURIComponent(match[1]);
      const found = findBy(query.get('idProperty') ?? undefined, key);
      if (!found) throw notFound(key);
      const values = checkValues(body.properties);
      checkUnique(values, found.id);
      const at = nowIso();
      Object.assign(found.properties, values, { lastmodifieddate: at });
      found.updatedAt = at;
      return { status: 200, body: render(found, Object.keys(values)) };
    }],
    ['POST', /^\/crm\/v3\/objects\/contacts\/batch\/read$/, (body) => {
      if (!Array.isArray(body.inputs)) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs is required');
      if (body.inputs.length > 100) throw new HubspotError(400, 'VALIDATION_ERROR', 'Batch input size must be at most 100');
      const startedAt = nowIso();
      const keys: string[] = body.inputs.map((i: Obj) => String(i.id));
      const found = new Map<string, Contact>();
      const missing: string[] = [];
      for (const key of keys) {
        const c = findBy(body.idProperty, key);
        if (c) found.set(c.id, c);
        else if (!missing.includes(key)) missing.push(key);
      }
      const results = [...found.values()].map((c) => render(c, body.properties));
      const done = { results, startedAt, completedAt: nowIso(), status: 'COMPLETE' };
      if (!missing.length) return { status: 200, body: done };
      return {
        status: 207,
        body: { ...done, numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.`, context: { ids: missing }, errors: [], links: {} }] },
      };
    }],
    ['POST', /^\/crm\/v3\/objects\/contacts\/search$/, (body) => ({ status: 200, body: search(body) })],
    ['POST', /^\/crm\/v3\/objects\/contacts\/gdpr-delete$/, (body) => {
      if (typeof body.objectId !== 'string') throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: objectId is required');
      const found = findBy(body.idProperty, body.objectId);
      // By email, an unknown address is blocklisted and the call succeeds, as HubSpot documents.
      if (!found && body.idProperty !== 'email') throw notFound(body.objectId);
      if (found) {
        contacts.delete(found.id);
        // "and all associated content": its notes with it.
        for (const note of notes.values()) if (note.contacts.has(found.id)) notes.delete(note.id);
      }
      return { status: 204 };
    }],
    ['POST', /^\/crm\/v3\/objects\/notes\/batch\/upsert$/, (body) => {
      if (!Array.isArray(body.inputs) || body.inputs.length > 100) throw new HubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: inputs (at most 100) is required');
      const startedAt = nowIso();
      const results = body.inputs.map((input: Obj) => {
        const idProperty = input.idProperty;
        if (!idProperty || !propertiesOf.notes.get(idProperty)?.hasUniqueValue) throw new HubspotError(400, 'VALIDATION_ERROR', `${idProperty} is not a unique property of notes`);
        const values = checkValues({ ...input.properties, [idProperty]: String(input.id) }, propertiesOf.notes);
        const at = nowIso();
        const existing = [...notes.values()].find((n) => n.properties[idProperty] === String(input.id));
        const note: Note = existing ?? { id: String(nextId++), properties: {}, createdAt: at, updatedAt: at, contacts: new Set() };
        Object.assign(note.properties, values, { hs_object_id: note.id, hs_lastmodifieddate: at, ...(existing ? {} : { hs_createdate: at }) });
        note.updatedAt = at;
        notes.set(note.id, note);
        return { id: note.id, properties: { ...note.properties }, createdAt: note.createdAt, updatedAt: note.updatedAt, archived: false, new: !existing };
      });
      return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt: nowIso() } };
    }],
    ['PUT', /^\/crm\/v4\/objects\/notes\/([^/]+)\/associations\/default\/contacts\/([^/]+)$/, (_, __, match) => {
      const note = notes.get(match[1]);
      if (!note) throw notFound(match[1]);
      if (!contacts.has(match[2])) throw notFound(match[2]);
      const startedAt = nowIso();
      note.contacts.add(match[2]);
      // Both directions of HubSpot's default note–contact association (202 note to contact, 201 back).
      const spec = (associationTypeId: number) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId });
      return {
        status: 200,
        body: { status: 'COMPLETE', startedAt, completedAt: nowIso(), results: [{ from: { id: note.id }, to: { id: match[2] }, associationSpec: spec(202) }, { from: { id: match[2] }, to: { id: note.id }, associationSpec: spec(201) }] },
      };
    }],
  ];

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...(body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }), 'X-HubSpot-Correlation-Id': randomUUID(), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  // HubSpot's answers also carry "status": "error" (and a 429 its policy's name), which its description does not list: left out, as described.
  const errorBody = (category: string, message: string, context?: Record<string, string[]>) => ({ message, correlationId: randomUUID(), category, ...(context ? { context } : {}) });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString();
    requests.push({ method, path: url.pathname, body: rawBody });

    const fault = faults.take(method, url.pathname);
    if (fault?.kind === 'hang') {
      // Never answers; the caller's deadline ends it, and its client should close the connection.
      hung.add(req);
      req.socket.once('close', () => hung.delete(req));
      return;
    }
    if (fault?.kind === 'drop') return req.socket.destroy();
    if (fault?.kind === '429') {
      return send(res, 429, errorBody('RATE_LIMITS', 'You have reached your secondly limit.'), { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
    }
    if (fault?.kind === '500') return send(res, 500, errorBody('INTERNAL_ERROR', 'internal error'));

    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return send(res, 401, errorBody('INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'));
    }
    const route = routes.find(([m, pattern]) => m === method && pattern.test(url.pathname));
    if (!route) return send(res, 404, errorBody('OBJECT_NOT_FOUND', `Unable to route ${method} request for ${url.pathname}`));
    let body: Obj = {};
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return send(res, 400, errorBody('VALIDATION_ERROR', 'Invalid input JSON on line 1'));
      }
    }
    try {
      const answer = route[2](body, url.searchParams, url.pathname.match(route[1])!);
      send(res, answer.status, answer.body);
    } catch (err) {
      if (!(err instanceof HubspotError)) throw err;
      send(res, err.status, errorBody(err.category, err.message, err.context));
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, errorBody('INTERNAL_ERROR', `stand-in failure: ${(err as Error).message}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = (method: string, uri: string, body: string, timestamp: number, secret = webhookClientSecret) =>
    createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`).digest('base64');

  return {
    basePath: `http://127.0.0.1:${port}`,
    accessToken,
    webhookClientSecret,
    portalId,
    requests,
    fault: faults.fault,
    clearFaults: faults.clearFaults,
    hanging: () => hung.size,
    notesOf: (contactId) => [...notes.values()].filter((n) => n.contacts.has(contactId)).map((n) => ({ id: n.id, properties: { ...n.properties } })),
    event(subscriptionType, contactId, change) {
      return {
        eventId: Number(`${Date.now() % 1_000_000_000}${String(nextEvent++).padStart(3, '0')}`), subscriptionId: 2_500_000, portalId, appId: 3_100_000,
        occurredAt: Date.now(), subscriptionType, attemptNumber: 0, objectId: Number(contactId), changeSource: 'CRM_UI',
        ...(change ?? {}),
      };
    },
    sign,
    async sendWebhook(url, events) {
      const payload = JSON.stringify(events);
      const timestamp = Date.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-HubSpot-Signature-v3': sign('POST', url, payload, timestamp), 'X-HubSpot-Request-Timestamp': String(timestamp) },
        body: payload,
      });
      return { status: response.status, body: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
