import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubspotStandIn, type HubspotStandIn } from './server';

type Json = Record<string, any>;
const spec: Json = JSON.parse(readFileSync(join(__dirname, 'spec.trimmed.json'), 'utf8'));

/** HubSpot's objects are open in its description; closed here so the stand-in cannot invent a field. */
const CLOSED = ['contacts.SimplePublicObject', 'contacts.SimplePublicObjectWithAssociations', 'contacts.Error', 'contacts.StandardError', 'contacts.BatchResponseSimplePublicObject', 'contacts.BatchResponseSimplePublicObjectWithErrors', 'contacts.CollectionResponseWithTotalSimplePublicObject', 'properties.Property', 'properties.Error', 'notes.SimplePublicUpsertObject', 'notes.BatchResponseSimplePublicUpsertObject', 'associations.BatchResponsePublicDefaultAssociation', 'associations.PublicDefaultAssociation', 'associations.Error'];

/** OpenAPI 3.0's `nullable` and component refs as JSON Schema. */
function jsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node;
  const out: Json = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, jsonSchema(s)])) : jsonSchema(v)]));
  if (typeof out.$ref === 'string') out.$ref = out.$ref.replace('#/components/schemas/', '#/definitions/');
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}
const definitions = Object.fromEntries(
  Object.entries<Json>(spec.components.schemas).map(([name, schema]) => [name, { ...jsonSchema(schema), ...(CLOSED.includes(name) ? { additionalProperties: false } : {}) }]),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('int32', true);
ajv.addFormat('int64', true);

function operationOf(method: string, path: string): string {
  const paths = Object.keys(spec.paths).filter((t) => spec.paths[t][method]);
  const found = paths.find((t) => t === path) ?? paths.find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path) && !paths.some((o) => o === path));
  if (!found) throw new Error(`the trimmed spec has no ${method} ${path}`);
  return found;
}
const validators = new Map<string, ValidateFunction | null>();
/** The operation's schema for this status (its own, or `default` for errors); null for an answer with no body (204). */
function validatorFor(method: string, template: string, status: number): ValidateFunction | null {
  const key = `${method} ${template} ${status}`;
  if (!validators.has(key)) {
    const responses = spec.paths[template][method].responses;
    let response = responses[String(status)] ?? responses.default;
    if (response.$ref) response = spec.components.responses[response.$ref.replace('#/components/responses/', '')];
    const content = response.content && Object.values<Json>(response.content)[0];
    validators.set(key, content ? ajv.compile({ ...jsonSchema(content.schema), definitions }) : null);
  }
  return validators.get(key)!;
}

describe('the HubSpot stand-in answers as HubSpot’s OpenAPI description says', () => {
  let hubspot: HubspotStandIn;
  const checked = new Set<string>();
  beforeAll(async () => {
    hubspot = await startHubspotStandIn();
  });
  afterAll(() => hubspot.close());
  afterEach(() => hubspot.clearFaults());

  /** One request; its answer validated against the operation's schema for its status. */
  async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: Json, token = hubspot.accessToken) {
    const response = await fetch(`${hubspot.basePath}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Json) : undefined;
    const template = operationOf(method.toLowerCase(), path.split('?')[0]);
    const validate = validatorFor(method.toLowerCase(), template, response.status);
    if (validate) {
      if (!validate(json)) throw new Error(`${method} ${path} → ${response.status} does not match the spec: ${ajv.errorsText(validate.errors)}\n${text}`);
    } else expect(text).toBe('');
    checked.add(`${method} ${template} ${response.status >= 400 ? 'error' : response.status}`);
    return { status: response.status, body: json, headers: response.headers };
  }
  const contact = (n: number, extra: Json = {}) => ({ properties: { email: `Person.${n}@Example.com`, firstname: `P${n}`, lastname: 'Test', phone: `+4915112345${String(n).padStart(3, '0')}`, ...extra } });

  it('creates properties and contacts, refusing what HubSpot refuses', async () => {
    const tier = await call('POST', '/crm/v3/properties/contacts', { name: 'tier_x', label: 'Tier', type: 'enumeration', fieldType: 'select', groupName: 'contactinformation', options: [{ label: 'Gold', value: 'gold' }] });
    expect(tier).toMatchObject({ status: 201, body: { name: 'tier_x', options: [{ value: 'gold' }] } });
    await call('POST', '/crm/v3/properties/contacts', { name: 'graph_x', label: 'Graph', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true });
    expect(await call('POST', '/crm/v3/properties/contacts', { name: 'graph_x', label: 'Again', type: 'string', fieldType: 'text', groupName: 'contactinformation' })).toMatchObject({ status: 409, body: { category: 'OBJECT_ALREADY_EXISTS' } });
    const listed = await call('GET', '/crm/v3/properties/contacts');
    expect(listed.body!.results.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['email', 'hs_language', 'tier_x', 'graph_x']));

    const made = await call('POST', '/crm/v3/objects/contacts', contact(1, { tier_x: 'gold', graph_x: 'cus_1' }));
    expect(made).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^\d+$/), properties: { email: 'Person.1@Example.com', tier_x: 'gold', hs_object_id: made.body!.id } } });
    expect(await call('POST', '/crm/v3/objects/contacts', contact(2, { email: 'person.1@example.com' }))).toMatchObject({ status: 409, body: { category: 'CONFLICT' } });
    expect(await call('POST', '/crm/v3/objects/contacts', contact(3, { graph_x: 'cus_1' }))).toMatchObject({ status: 409 });
    expect(await call('POST', '/crm/v3/objects/contacts', contact(4, { tier_x: 'diamond' }))).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR' } });
    expect(await call('POST', '/crm/v3/objects/contacts', contact(5, { no_such: 'x' }))).toMatchObject({ status: 400 });
    expect(await call('POST', '/crm/v3/objects/contacts', contact(6, { lastmodifieddate: 'x' }))).toMatchObject({ status: 400 });
  });

  it('reads contacts by id and by a unique property, alone and in batches (207 naming the missing)', async () => {
    const a = (await call('POST', '/crm/v3/objects/contacts', contact(10, { graph_x: 'cus_10' }))).body!;
    const b = (await call('POST', '/crm/v3/objects/contacts', contact(11))).body!;
    expect(await call('GET', `/crm/v3/objects/contacts/${a.id}?properties=email,phone,mobilephone`)).toMatchObject({ status: 200, body: { properties: { email: 'Person.10@Example.com', mobilephone: null } } });
    expect(await call('GET', '/crm/v3/objects/contacts/cus_10?idProperty=graph_x')).toMatchObject({ status: 200, body: { id: a.id } });
    expect(await call('GET', '/crm/v3/objects/contacts/999999')).toMatchObject({ status: 404, body: { category: 'OBJECT_NOT_FOUND' } });
    const both = await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: a.id }, { id: b.id }], properties: ['email'], propertiesWithHistory: [] });
    expect(both).toMatchObject({ status: 200, body: { status: 'COMPLETE' } });
    expect(both.body!.results.map((r: Json) => r.id).sort()).toEqual([a.id, b.id].sort());
    const some = await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: a.id }, { id: '999999' }], properties: ['email'], propertiesWithHistory: [] });
    expect(some).toMatchObject({ status: 207, body: { numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } }] } });
    const byGraph = await call('POST', '/crm/v3/objects/contacts/batch/read', { idProperty: 'graph_x', inputs: [{ id: 'cus_10' }], properties: ['graph_x'], propertiesWithHistory: [] });
    expect(byGraph.body!.results).toEqual([expect.objectContaining({ id: a.id, properties: expect.objectContaining({ graph_x: 'cus_10' }) })]);
    expect(await call('POST', '/crm/v3/objects/contacts/batch/read', { idProperty: 'firstname', inputs: [{ id: 'x' }], properties: [], propertiesWithHistory: [] })).toMatchObject({ status: 400 });
    const patched = await call('PATCH', `/crm/v3/objects/contacts/${a.id}`, { properties: { lastname: 'Renamed' } });
    expect(patched).toMatchObject({ status: 200, body: { id: a.id, properties: { lastname: 'Renamed' } } });
    expect(await call('PATCH', `/crm/v3/objects/contacts/${b.id}`, { properties: { graph_x: 'cus_10' } })).toMatchObject({ status: 409 });
    expect(await call('PATCH', '/crm/v3/objects/contacts/999999', { properties: { lastname: 'x' } })).toMatchObject({ status: 404 });
    const page = await call('GET', '/crm/v3/objects/contacts?limit=1');
    expect(page).toMatchObject({ status: 200, body: { results: [expect.anything()], paging: { next: { after: '1' } } } });
  });

  it('searches with EQ (case-insensitive), IN and OR between groups, pages, and HubSpot’s limits', async () => {
    const c = (await call('POST', '/crm/v3/objects/contacts', contact(20, { mobilephone: '+33612345678' }))).body!;
    const eq = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'person.20@example.com' }] }], properties: ['email'], limit: 10 });
    expect(eq.body).toMatchObject({ total: 1, results: [{ id: c.id }] });
    const phones = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'phone', operator: 'IN', values: ['+33612345678'] }] }, { filters: [{ propertyName: 'mobilephone', operator: 'IN', values: ['+33612345678'] }] }], limit: 10,
    });
    expect(phones.body!.results.map((r: Json) => r.id)).toEqual([c.id]);
    const paged = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: 'test' }] }], limit: 1 });
    expect(paged.body).toMatchObject({ results: [expect.anything()], paging: { next: { after: '1' } } });
    const many = Array.from({ length: 6 }, () => ({ filters: [{ propertyName: 'email', operator: 'EQ', value: 'x@y.z' }] }));
    expect(await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: many })).toMatchObject({ status: 400 });
    expect(await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'IN', values: Array.from({ length: 101 }, (_, i) => `${i}@x.y`) }] }] })).toMatchObject({ status: 400 });
    expect(await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: 'x' }] }] })).toMatchObject({ status: 400 });
  });

  it('deletes a contact for GDPR for good (204), answering 404 for an unknown id', async () => {
    const c = (await call('POST', '/crm/v3/objects/contacts', contact(30))).body!;
    expect(await call('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: c.id })).toMatchObject({ status: 204 });
    expect(await call('GET', `/crm/v3/objects/contacts/${c.id}`)).toMatchObject({ status: 404 });
    expect(await call('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: c.id })).toMatchObject({ status: 404 });
    expect(await call('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: 'nobody@example.com', idProperty: 'email' })).toMatchObject({ status: 204 });
  });

  it('upserts a note by its unique property (a repeat updates the one note) and associates it with a contact, idempotently', async () => {
    await call('POST', '/crm/v3/properties/notes', { name: 'graph_interaction_id', label: 'Interaction', type: 'string', fieldType: 'text', groupName: 'engagement', hasUniqueValue: true });
    const c = (await call('POST', '/crm/v3/objects/contacts', contact(40))).body!;
    const input = { inputs: [{ id: 'int_1', idProperty: 'graph_interaction_id', properties: { hs_timestamp: '2026-11-20T10:00:00.000Z', hs_note_body: '<p>asked</p>' } }] };
    const first = await call('POST', '/crm/v3/objects/notes/batch/upsert', input);
    expect(first).toMatchObject({ status: 200, body: { status: 'COMPLETE', results: [{ new: true, properties: { graph_interaction_id: 'int_1' } }] } });
    const again = await call('POST', '/crm/v3/objects/notes/batch/upsert', input);
    expect(again.body!.results[0]).toMatchObject({ id: first.body!.results[0].id, new: false });
    const noteId = first.body!.results[0].id;
    for (let i = 0; i < 2; i++) {
      expect(await call('PUT', `/crm/v4/objects/notes/${noteId}/associations/default/contacts/${c.id}`)).toMatchObject({ status: 200, body: { results: [{ from: { id: noteId }, to: { id: c.id } }, expect.anything()] } });
    }
    expect(hubspot.notesOf(c.id)).toEqual([expect.objectContaining({ id: noteId })]);
    expect(await call('PUT', `/crm/v4/objects/notes/${noteId}/associations/default/contacts/999999`)).toMatchObject({ status: 404 });
    expect(await call('POST', '/crm/v3/objects/notes/batch/upsert', { inputs: [{ id: 'x', idProperty: 'hs_note_body', properties: {} }] })).toMatchObject({ status: 400 });
    // GDPR delete takes the contact's notes with it.
    await call('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: c.id });
    expect(hubspot.notesOf(c.id)).toEqual([]);
  });

  it('refuses a missing or wrong token (401) and answers faults as HubSpot does', async () => {
    expect(await call('GET', '/crm/v3/objects/contacts?limit=1', undefined, 'pat-eu1-wrong')).toMatchObject({ status: 401, body: { category: 'INVALID_AUTHENTICATION' } });
    hubspot.fault({ path: '/crm/v3/objects/contacts/search', kind: '429', times: 1, retryAfterSeconds: 2 });
    const limited = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [] });
    expect(limited).toMatchObject({ status: 429, body: { category: 'RATE_LIMITS' } });
    expect(limited.headers.get('retry-after')).toBe('2');
    hubspot.fault({ path: '/crm/v3/objects/contacts/batch/read', kind: '500', times: 1 });
    expect(await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [], properties: [], propertiesWithHistory: [] })).toMatchObject({ status: 500 });
    hubspot.fault({ path: '/crm/v3/objects/contacts', kind: 'drop', times: 1 });
    await expect(fetch(`${hubspot.basePath}/crm/v3/objects/contacts`)).rejects.toThrow();
  });

  it('signs a delivery as HubSpot documents v3: base64 HMAC-SHA256 of method, URI, body and timestamp', async () => {
    let received: { headers: Json; body: string; url: string } | undefined;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received = { headers: req.headers, body, url: req.url! };
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot`;
    try {
      const event = hubspot.event('contact.propertyChange', '101', { propertyName: 'email', propertyValue: 'a@b.c' });
      await expect(hubspot.sendWebhook(url, [event])).resolves.toEqual({ status: 200, body: 'ok' });
      const timestamp = received!.headers['x-hubspot-request-timestamp'];
      expect(Math.abs(Date.now() - Number(timestamp))).toBeLessThan(5_000);
      const expected = createHmac('sha256', hubspot.webhookClientSecret).update(`POST${url}${received!.body}${timestamp}`).digest('base64');
      expect(received!.headers['x-hubspot-signature-v3']).toBe(expected);
      expect(JSON.parse(received!.body)).toEqual([expect.objectContaining({ subscriptionType: 'contact.propertyChange', objectId: 101, portalId: hubspot.portalId, propertyName: 'email' })]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('answered every operation the adapter and its fixtures use, validated', () => {
    const operations = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`));
    for (const op of operations) expect([...checked].some((c) => c.startsWith(`${op} `))).toBe(true);
  });
});
