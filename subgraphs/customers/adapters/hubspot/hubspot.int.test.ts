import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDemoData } from '../../../../test/fixtures/demo-data';
import { createTestDatabase } from '../../../../test/helpers/db';
import { FIXTURE_ANCHOR } from '../../../../test/helpers/stack';
import { describeCustomerSystem } from '../../../../test/kits/customer-source';
import { sdkFor, startHubspot, type StartedHubspot } from '../../../../test/standins/hubspot';
import { adapterSettingsFromEnv } from '../../../shared/adapter';
import type { AppError } from '../../../shared/errors';
import { createLogger } from '../../../shared/logger';
import { requestDeadline } from '../../../shared/resilience';
import { createVendorCallFactory } from '../../../shared/vendor';
import { createCustomerRecords } from '../../records';
import { composeCustomerSource } from '../../source';
import { createMapper } from './map';
import { HUBSPOT_WEBHOOK_PATH } from './webhooks';
import { createHubspotCustomerSystem, hubspotConfig, type HubspotCustomerSystem } from '.';

const configFor = (h: { basePath: string; accessToken: string; webhookClientSecret: string }, extra: Record<string, string> = {}) =>
  hubspotConfig.parse({ accessToken: h.accessToken, basePath: h.basePath, webhookClientSecret: h.webhookClientSecret, requestsPerSecond: '1000', searchRequestsPerSecond: '1000', ...extra });
const logger = createLogger('test', 'silent');
/** The shared discipline in process (no Redis): a fresh one where a 429's pause must not outlive its test. */
const vendorCallsFor = (backendTimeoutMs = 2_000) => createVendorCallFactory({ service: 'customers', namespace: `test-hubspot-${process.pid}`, backendTimeoutMs, logger });

describeCustomerSystem('hubspot against the stand-in', async (data) => {
  const hubspot = await startHubspot(data);
  const source = createHubspotCustomerSystem(configFor(hubspot), { logger, vendorCalls: vendorCallsFor(5_000) });
  return { source, close: hubspot.close, held: hubspot.held, customerLinks: hubspot.links };
});

describe('the HubSpot adapter against the stand-in: mapping, webhooks, faults', () => {
  const data = generateDemoData({ customers: 12, anchor: FIXTURE_ANCHOR });
  let hubspot: StartedHubspot;
  let system: HubspotCustomerSystem;
  beforeAll(async () => {
    hubspot = await startHubspot(data);
  });
  beforeEach(() => {
    system = createHubspotCustomerSystem(configFor(hubspot), { logger, vendorCalls: vendorCallsFor() });
  });
  afterAll(() => hubspot?.close());
  afterEach(() => hubspot.standIn.clearFaults());
  const held = () => hubspot.held;

  describe('reads', () => {
    it('reads a batch of more than 100 ids in slices of HubSpot’s batch limit, in key order', async () => {
      const ids = held().customers.map((c) => c.id);
      const keys = [...Array.from({ length: 120 }, (_, i) => String(900_000 + i)), ...ids.reverse()];
      const before = hubspot.standIn.requests.length;
      const answers = await system.getCustomers(keys);
      expect(answers.slice(120)).toEqual(ids.map((id) => held().customers.find((c) => c.id === id)));
      expect(answers.slice(0, 120).every((a) => a === null)).toBe(true);
      expect(hubspot.standIn.requests.slice(before).filter((r) => r.path === '/crm/v3/objects/contacts/batch/read')).toHaveLength(2);
    });

    it('finds by phone stored in another format, in E.164, and asks for E.164 only', async () => {
      const c = held().customers.find((x) => x.phone?.startsWith('+49'))!;
      const sdk = sdkFor(hubspot);
      // A person typed the number with spaces: HubSpot compares the text, so the graph finds it only as stored in E.164.
      const spaced = await sdk.crm.contacts.basicApi.create({ associations: [], properties: { email: 'spaced@example.com', firstname: 'S', lastname: 'P', country: 'DE', mobilephone: '0151 2345 6789' } });
      const [found] = await system.getCustomers([spaced.id]);
      expect(found).toMatchObject({ phone: '+4915123456789', country: 'DE', locale: 'en-DE', preferredLanguage: 'en' });
      await expect(system.findCustomersByPhone([c.phone!, 'not a phone'])).resolves.toEqual([[c], []]);
      const searches = hubspot.standIn.requests.filter((r) => r.path === '/crm/v3/objects/contacts/search').map((r) => JSON.parse(r.body));
      expect(searches.at(-1).filterGroups).toEqual([
        { filters: [{ propertyName: 'phone', operator: 'IN', values: [c.phone] }] },
        { filters: [{ propertyName: 'mobilephone', operator: 'IN', values: [c.phone] }] },
      ]);
    });

    it('links by email only when configured: the one contact with that email, in any case', async () => {
      expect(system.systemCustomerIdsByEmail).toBeUndefined();
      const byEmail = createHubspotCustomerSystem(configFor(hubspot, { linkByEmail: 'true' }), { logger, vendorCalls: vendorCallsFor() });
      const c = held().customers[5];
      await expect(byEmail.systemCustomerIdsByEmail!([c.email.toUpperCase(), 'nobody@example.org', 'not an email'])).resolves.toEqual([c.id, null, null]);
    });

    it('keeps a value outside the tables as the nearest safe one, logged once', () => {
      const warnings: unknown[] = [];
      const spy = { ...logger, warn: (...args: unknown[]) => void warnings.push(args) } as unknown as typeof logger;
      const map = createMapper({ graphIdProperty: 'graph_customer_id', loyaltyTierProperty: 'loyalty_tier' }, spy);
      const contact = (properties: Record<string, string | null>) => ({ id: '7', properties, createdAt: new Date(), updatedAt: new Date() });
      const odd = contact({ email: 'A@B.C', loyalty_tier: 'diamond', hs_language: 'pt-br', country: 'Narnia', date_of_birth: 'spring 1990', phone: '12' });
      expect(map.customer(odd)).toMatchObject({ email: 'a@b.c', loyaltyTier: 'NONE', preferredLanguage: 'pt', locale: 'pt-BR', country: 'ZZ', dateOfBirth: null, phone: null, marketingConsent: false, addresses: [] });
      map.customer(odd);
      expect(warnings).toHaveLength(2);
      expect(map.customer(contact({ hs_language: 'xx', country: 'Germany' }))).toMatchObject({ preferredLanguage: 'xx', locale: 'xx-DE', country: 'DE' });
      expect(map.customer(contact({ hs_language: '---' }))).toMatchObject({ preferredLanguage: 'en', locale: 'en' });
    });
  });

  describe('webhooks (X-HubSpot-Signature-v3)', () => {
    const url = `http://127.0.0.1:4001${HUBSPOT_WEBHOOK_PATH}`;
    const webhook = () => system.webhooks![0];
    const deliver = (events: object[], options: { at?: number; secret?: string; body?: string; uri?: string } = {}) => {
      const body = options.body ?? JSON.stringify(events);
      const at = options.at ?? Date.now();
      const signature = hubspot.standIn.sign('POST', options.uri ?? url, body, at, options.secret);
      return webhook().receive(body, { host: '127.0.0.1:4001', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(at) });
    };
    const contactId = () => held().customers[0].id;

    it('translates a batch of contact events into customer.updated for each contact, once each, and a graph id set into a link', async () => {
      const [a, b] = held().customers;
      const events = [
        hubspot.standIn.event('contact.propertyChange', a.id, { propertyName: 'email', propertyValue: 'new@example.com' }),
        hubspot.standIn.event('contact.propertyChange', a.id, { propertyName: 'graph_customer_id', propertyValue: 'cus_000001' }),
        hubspot.standIn.event('contact.creation', b.id),
        hubspot.standIn.event('deal.creation', '555'),
      ];
      const delivery = await deliver(events);
      expect(delivery).toEqual({
        id: `${events[0].eventId}+3`,
        changes: [{ type: 'customer.updated', data: { customerId: a.id } }, { type: 'customer.updated', data: { customerId: b.id } }],
        links: [{ graphCustomerId: 'cus_000001', systemCustomerId: a.id }],
      });
      await expect(deliver([hubspot.standIn.event('contact.deletion', b.id)])).resolves.toMatchObject({ changes: [{ type: 'customer.updated', data: { customerId: b.id } }] });
    });

    it('acknowledges a signed delivery of events the graph does not use with no changes', async () => {
      const event = hubspot.standIn.event('company.creation', '42');
      await expect(deliver([event])).resolves.toEqual({ id: String(event.eventId), changes: [] });
    });

    it('refuses a bad or missing signature, another URI and a timestamp outside 5 minutes (401), and what is not HubSpot’s payload (400)', async () => {
      const events = [hubspot.standIn.event('contact.creation', contactId())];
      await expect(deliver(events, { secret: 'not-the-client-secret' })).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      await expect(deliver(events, { uri: 'http://127.0.0.1:4001/elsewhere' })).rejects.toMatchObject({ status: 401 });
      await expect(webhook().receive(JSON.stringify(events), { host: '127.0.0.1:4001' })).rejects.toMatchObject({ status: 401 });
      await expect(deliver(events, { at: Date.now() - 301_000 })).rejects.toMatchObject({ status: 401 });
      await expect(deliver(events, { at: Date.now() - 200_000 })).resolves.toMatchObject({ changes: [expect.anything()] });
      const body = JSON.stringify(events);
      const at = Date.now();
      const signature = hubspot.standIn.sign('POST', url, body, at);
      await expect(webhook().receive(body.replace(contactId(), '999'), { host: '127.0.0.1:4001', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(at) })).rejects.toMatchObject({ status: 401 });
      await expect(deliver([], { body: JSON.stringify({ hello: 'world' }) })).rejects.toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      await expect(deliver([], { body: '[]' })).rejects.toMatchObject({ status: 400 });
      await expect(deliver([], { body: 'not json' })).rejects.toMatchObject({ status: 400 });
    });

    it('verifies a delivery posted over HTTP as HubSpot posts it (the URI from the Host it was sent to)', async () => {
      const receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          webhook().receive(body, req.headers).then(
            (delivery) => res.writeHead(200).end(JSON.stringify(delivery)),
            (err: { status?: number }) => res.writeHead(err.status ?? 500).end(),
          );
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${HUBSPOT_WEBHOOK_PATH}`;
        const answer = await hubspot.sendWebhook(target, [hubspot.standIn.event('contact.propertyChange', contactId(), { propertyName: 'phone', propertyValue: '+4915100000000' })]);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toMatchObject({ changes: [{ type: 'customer.updated', data: { customerId: contactId() } }] });
        // Signed for another path than the one it reached: refused.
        await expect(hubspot.sendWebhook(target.replace(HUBSPOT_WEBHOOK_PATH, '/webhooks/other'), [hubspot.standIn.event('contact.creation', contactId())])).resolves.toMatchObject({ status: 401 });
      } finally {
        await new Promise((resolve) => receiver.close(resolve));
      }
    });

    it('verifies against the configured target URL when one is set (behind a proxy)', async () => {
      const behindProxy = createHubspotCustomerSystem(configFor(hubspot, { webhookUrl: 'https://crm.example.com/hooks/hubspot' }), { logger, vendorCalls: vendorCallsFor() });
      const body = JSON.stringify([hubspot.standIn.event('contact.creation', contactId())]);
      const at = Date.now();
      const headers = { host: 'internal:4001', 'x-hubspot-request-timestamp': String(at) };
      await expect(behindProxy.webhooks![0].receive(body, { ...headers, 'x-hubspot-signature-v3': hubspot.standIn.sign('POST', 'https://crm.example.com/hooks/hubspot', body, at) })).resolves.toMatchObject({ changes: [expect.anything()] });
      await expect(behindProxy.webhooks![0].receive(body, { ...headers, 'x-hubspot-signature-v3': hubspot.standIn.sign('POST', `http://internal:4001${HUBSPOT_WEBHOOK_PATH}`, body, at) })).rejects.toMatchObject({ status: 401 });
    });
  });

  describe('faults, through the vendor-call discipline, within the request’s deadline', () => {
    const within = async <T>(deadlineMs: number, read: () => Promise<T>) => {
      const started = Date.now();
      const outcome = await requestDeadline.run(started + deadlineMs, read).then((value) => ({ value }), (error) => ({ error }));
      return { ...outcome, elapsed: Date.now() - started } as { value?: T; error?: AppError; elapsed: number };
    };
    const customer = () => held().customers[1];

    it('429 with a Retry-After that fits: retried, answered', async () => {
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/batch/read', kind: '429', times: 1, retryAfterSeconds: 0.2 });
      const { value, elapsed } = await within(1_500, () => system.getCustomers([customer().id]));
      expect(value).toEqual([customer()]);
      expect(elapsed).toBeGreaterThanOrEqual(190);
    });

    it('429 with a Retry-After past the deadline: OVERLOADED at once, the service named', async () => {
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/search', kind: '429', retryAfterSeconds: 30 });
      const { error, elapsed } = await within(800, () => system.findCustomersByEmail([customer().email]));
      expect(error).toMatchObject({ code: 'OVERLOADED', details: expect.objectContaining({ service: 'customers' }) });
      expect(elapsed).toBeLessThan(800);
    });

    it('500s: retried, then BACKEND_UNAVAILABLE, no vendor text; one 500: answered', async () => {
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/batch/read', kind: '500', times: 1 });
      await expect(within(1_500, () => system.getCustomers([customer().id]))).resolves.toMatchObject({ value: [customer()] });
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/batch/read', kind: '500' });
      const { error, elapsed } = await within(1_500, () => system.getCustomers([customer().id]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.not.stringMatching(/internal error|hubspot/i) });
      expect(elapsed).toBeLessThan(1_500 + 400);
    });

    it('a hang: BACKEND_TIMEOUT within the deadline', async () => {
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/search', kind: 'hang' });
      const { error, elapsed } = await within(600, () => system.findCustomersByPhone([customer().phone ?? '+4915100000000']));
      expect(error).toMatchObject({ code: 'BACKEND_TIMEOUT', details: { service: 'customers' } });
      expect(elapsed).toBeLessThan(600 + 400);
    });

    it('a hang: the connection HubSpot went silent on is closed, not held after the deadline', async () => {
      const quick = createHubspotCustomerSystem(configFor(hubspot, { socketTimeoutMs: '300' }), { logger, vendorCalls: vendorCallsFor() });
      // Another test's hung request may still be held by its client (closed after the default 10 s).
      const before = hubspot.standIn.hanging();
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/search', kind: 'hang' });
      await expect(within(200, () => quick.findCustomersByEmail([customer().email]))).resolves.toMatchObject({ error: { code: 'BACKEND_TIMEOUT' } });
      expect(hubspot.standIn.hanging()).toBe(before + 1);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(hubspot.standIn.hanging()).toBe(before);
    });

    it('a dropped connection: BACKEND_UNAVAILABLE within the deadline', async () => {
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/batch/read', kind: 'drop' });
      const { error, elapsed } = await within(1_000, () => system.getCustomers([customer().id]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect(elapsed).toBeLessThan(1_000 + 400);
    });

    it('a wrong token is a configuration fault: INTERNAL_SERVER_ERROR, never retried, never the vendor’s text', async () => {
      const wrong = createHubspotCustomerSystem(configFor({ ...hubspot, accessToken: 'pat-eu1-00000000-0000-0000-0000-000000000000' }), { logger, vendorCalls: vendorCallsFor() });
      const before = hubspot.standIn.requests.length;
      await expect(wrong.ping()).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
      expect(hubspot.standIn.requests.length - before).toBe(1);
    });
  });

  describe('interactions mirrored as notes (engagements)', () => {
    const interaction = (customerId: string, id = 'int_mirror_1') => ({
      id, customerId, channel: 'CHAT' as const, intent: 'RETURN' as const, outcome: 'ESCALATED' as const, orderId: 'ord_000004_1', lineItemIds: [],
      stepsTried: ['selected 2 items'], failureReason: 'one item is <final sale>', sentiment: null, summary: 'Wants to return both', agentId: 'bot', occurredAt: new Date('2026-11-20T10:00:00Z'),
    });
    const mirroring = () => createHubspotCustomerSystem(configFor(hubspot, { mirrorInteractions: 'true' }), { logger, vendorCalls: vendorCallsFor() });

    it('writes one note on the contact per interaction, however often it is sent or retried', async () => {
      const contact = held().customers[3].id;
      hubspot.standIn.fault({ path: '/crm/v3/objects/notes/batch/upsert', kind: '500', times: 1 });
      await mirroring().recordEngagement!(interaction(contact));
      await mirroring().recordEngagement!(interaction(contact));
      const notes = hubspot.standIn.notesOf(contact);
      expect(notes).toEqual([expect.objectContaining({ properties: expect.objectContaining({ graph_interaction_id: 'int_mirror_1', hs_timestamp: '2026-11-20T10:00:00.000Z' }) })]);
      expect(notes[0].properties.hs_note_body).toBe('<p><strong>CHAT · RETURN · ESCALATED</strong></p><p>Order ord_000004_1</p><p>Wants to return both</p><p>Could not finish: one item is &#60;final sale&#62;</p><p>Tried: selected 2 items</p>');
    });

    it('mirrors nothing for a customer HubSpot does not hold, and is off unless CUSTOMERS_HUBSPOT_MIRROR_INTERACTIONS=true', async () => {
      const before = hubspot.standIn.requests.length;
      await mirroring().recordEngagement!(interaction('hubspot:nobody', 'int_mirror_2'));
      expect(hubspot.standIn.requests.length).toBe(before);
      expect(system.recordEngagement).toBeUndefined();
    });

    it('mirrors an interaction the graph newly records as one note on the contact; a replay calls HubSpot not at all; HubSpot failing fails no write', async () => {
      const t = await createTestDatabase();
      try {
        const crm = mirroring();
        const records = await createCustomerRecords(t.database.db, { system: 'hubspot', links: crm, logger });
        const source = composeCustomerSource(crm, records, { logger });
        // The graph's id, as the graph records it; the contact carries it in HubSpot.
        const graphId = data.customers[5].id;
        const contact = held().customers[5].id;
        expect(hubspot.standIn.notesOf(contact)).toEqual([]);

        const first = await source.recordInteraction(interaction(graphId, 'int_mirror_3'), 'mirror-key-1');
        expect(first).toMatchObject({ replayed: false, interaction: { id: 'int_mirror_3', customerId: graphId } });
        expect(hubspot.standIn.notesOf(contact)).toEqual([expect.objectContaining({ properties: expect.objectContaining({ graph_interaction_id: 'int_mirror_3' }) })]);

        const before = hubspot.standIn.requests.length;
        const replay = await source.recordInteraction(interaction(graphId, 'int_mirror_3'), 'mirror-key-1');
        expect(replay.replayed).toBe(true);
        expect(hubspot.standIn.requests.length).toBe(before);
        expect(hubspot.standIn.notesOf(contact)).toHaveLength(1);

        // HubSpot refusing notes: the interaction is the graph's record all the same, and no note appears.
        hubspot.standIn.fault({ path: /^\/crm\/v3\/objects\/notes/, kind: '500' });
        const during = await source.recordInteraction(interaction(graphId, 'int_mirror_4'), 'mirror-key-2');
        expect(during.replayed).toBe(false);
        await expect(source.getInteractions(['int_mirror_4'])).resolves.toEqual([expect.objectContaining({ id: 'int_mirror_4', customerId: graphId })]);
        expect(hubspot.standIn.notesOf(contact)).toHaveLength(1);
      } finally {
        await t.drop();
      }
    });
  });

  describe('GDPR', () => {
    it('a lost answer to the GDPR delete is retried, and the retry finding nothing counts as done', async () => {
      const c = held().customers.at(-2)!;
      hubspot.standIn.fault({ path: '/crm/v3/objects/contacts/gdpr-delete', kind: '500', times: 1 });
      await expect(system.eraseCustomer(c.id, new Date())).resolves.toBe(1);
      await expect(system.getCustomers([c.id])).resolves.toEqual([null]);
      await expect(system.eraseCustomer(c.id, new Date())).resolves.toBeNull();
    });

    it('exports every property HubSpot holds of the contact and the profile read from it', async () => {
      const c = held().customers[2];
      await expect(system.exportCustomer(c.id)).resolves.toMatchObject({ system: 'hubspot', contactId: c.id, properties: { email: c.email, graph_customer_id: data.customers[2].id }, customer: c });
    });
  });
});

describe('HubSpot adapter settings (CUSTOMERS_HUBSPOT_*)', () => {
  it('has no default for the access token, and a bad one is refused naming its variable, never its value', () => {
    expect(hubspotConfig.safeParse(adapterSettingsFromEnv('customers', 'hubspot', {})).success).toBe(false);
    const refused = hubspotConfig.safeParse(adapterSettingsFromEnv('customers', 'hubspot', { CUSTOMERS_HUBSPOT_ACCESS_TOKEN: 'secret-oops123' }));
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error)).not.toContain('oops123');
  });
  it('reads the rest from the environment with HubSpot’s defaults', () => {
    const config = hubspotConfig.parse(adapterSettingsFromEnv('customers', 'hubspot', { CUSTOMERS_HUBSPOT_ACCESS_TOKEN: 'pat-na1-0a1b2c3d-0000-4000-8000-00000000abcd', CUSTOMERS_HUBSPOT_LOYALTY_TIER_PROPERTY: 'vip_tier', CUSTOMERS_HUBSPOT_LINK_BY_EMAIL: 'true' }));
    expect(config).toMatchObject({ basePath: 'https://api.hubapi.com', requestsPerSecond: 10, searchRequestsPerSecond: 5, graphIdProperty: 'graph_customer_id', loyaltyTierProperty: 'vip_tier', linkByEmail: true, webhookToleranceSeconds: 300 });
    expect(config.webhookClientSecret).toBeUndefined();
  });
});
