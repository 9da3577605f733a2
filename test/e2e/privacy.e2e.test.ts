import { sql } from 'kysely';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { signViewer, VIEWER_HEADER, type Viewer } from '../../subgraphs/shared/auth';
import { assertNoCardNumbersInDatabase } from '../helpers/pan';
import { startTestStack, type TestStack } from '../helpers/stack';

const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;
const AUDIT = /* GraphQL */ `query ($customerId: ID, $actorId: String) { auditLog(customerId: $customerId, actorId: $actorId) { actorKind actorId channel customerId fields at } }`;
const EXPORT = /* GraphQL */ `query ($id: ID!) { customerDataExport(customerId: $id) { customerId exportedAt crm oms orderIds payments logistics crmSystem { system action } omsSystem { system action } paymentsSystem { system action } logisticsSystem { system action } } }`;
const ERASE = /* GraphQL */ `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customerId erasedAt systems { system records systemOfRecord action detail } } }`;

/** GDPR and PCI: who read what is written down, a customer's data can be handed over or erased, no card number is kept. */
describe('data protection', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
  });
  afterAll(() => t?.close());

  describe('the audit log', () => {
    it('records every profile an agent reads (who, channel, customer, fields), not the customer reading their own', async () => {
      const customer = t.data.customers[2];
      const agent = await t.verifiedAgent(2, 'HUMAN_DESK', 'desk-audit');
      await t.query(/* GraphQL */ `{ verifiedCustomer { firstName email } }`, undefined, agent);
      await t.query(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { firstName email phone } }`, { id: customer.id }, await t.asCustomer(customer.id));
      const { body } = await t.query(AUDIT, { customerId: customer.id }, await t.asOperations());
      expect(body.errors).toBeUndefined();
      expect(body.data.auditLog).toEqual([
        { actorKind: 'agent', actorId: 'desk-audit', channel: 'HUMAN_DESK', customerId: customer.id, fields: ['email', 'firstName'], at: expect.any(String) },
      ]);
    });

    it('records each turn of the per-turn context, with the fields the bot read', async () => {
      const customer = t.data.customers[3];
      const bot = await t.verifiedAgent(3, 'VOICE', 'voice-audit');
      await t.operation('CustomerContext', {}, bot);
      await t.operation('CustomerContext', {}, bot);
      const entries: { customerId: string; channel: string; fields: string[] }[] = (await t.query(AUDIT, { actorId: 'voice-audit' }, await t.asOperations())).body.data.auditLog;
      // One entry per turn, the second answered from the gateway's cache of the CRM's answer: still written down.
      expect(entries).toHaveLength(2);
      for (const entry of entries) {
        expect(entry).toMatchObject({ customerId: customer.id, channel: 'VOICE' });
        expect(entry.fields).toEqual(expect.arrayContaining(['brief', 'firstName', 'lastName', 'interactions', 'openHandoffs']));
      }
    });

    it('takes the gateway’s writes on the CRM’s POST /audit: from the graph’s own service callers only, all entries or none', async () => {
      const [customer, other] = [t.data.customers[5], t.data.customers[6]];
      const post = (body: unknown, viewer?: Viewer) =>
        fetch(new URL('/audit', t.stack.subgraphUrls.customers), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(viewer ? { [VIEWER_HEADER]: signViewer(viewer, t.stack.config.gatewaySecret, { audience: 'customers', requestId: 'test' }) } : {}) },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
      const service: Viewer = { kind: 'service', id: 'gateway-audit' };
      const entry = { at: new Date().toISOString(), actorKind: 'agent', actorId: 'route-audit', channel: 'CHAT', customerId: customer.id, fields: ['email'] };
      const written = async () => (await t.query(AUDIT, { actorId: 'route-audit' }, await t.asOperations())).body.data.auditLog as { customerId: string }[];

      expect((await post({ entries: [entry] })).status).toBe(401);
      expect((await post({ entries: [entry] }, { kind: 'agent', id: 'bot', channel: 'CHAT', customerId: customer.id, sessionId: 'vs_route', sessionExpiresAt: Date.now() + 60_000 })).status).toBe(403);
      for (const bad of ['{"entries": [', { entries: [] }, { entries: [entry, { ...entry, channel: 'FAX' }] }, { entries: [{ ...entry, at: 'yesterday' }] }]) {
        const res = await post(bad, service);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
      }
      expect(await written()).toEqual([]);

      const res = await post({ entries: [entry, { ...entry, customerId: other.id }] }, service);
      expect([res.status, await res.json()]).toEqual([200, { recorded: 2 }]);
      expect((await written()).map((e) => e.customerId).sort()).toEqual([customer.id, other.id].sort());
    });

    it('is readable by operations only', async () => {
      for (const caller of [await t.asCustomer(t.data.customers[2].id), await t.verifiedAgent(2, 'CHAT')]) {
        expect(codeOf((await t.query(AUDIT, { customerId: t.data.customers[2].id }, caller)).body)).toBe('FORBIDDEN');
      }
    });
  });

  describe('GDPR export', () => {
    it('hands operations one document with what all four systems hold, card data as brand and last 4 only', async () => {
      const customer = t.data.customers[ORDER_SCENARIOS.indexOf('exception_lost')];
      const { body } = await t.query(EXPORT, { id: customer.id }, await t.asOperations());
      expect(body.errors).toBeUndefined();
      const doc = body.data.customerDataExport;
      expect(doc.crm.customer).toMatchObject({ id: customer.id, email: customer.email, lastName: customer.lastName });
      expect(doc.crm.addresses).toHaveLength(customer.addresses.length);
      expect(doc.crm.interactions.length).toBe(t.data.interactions.filter((i) => i.customerId === customer.id).length);
      const orders = t.data.orders.filter((o) => o.customerId === customer.id);
      expect(doc.orderIds.sort()).toEqual(orders.map((o) => o.id).sort());
      expect(doc.oms.lineItems.length).toBe(t.data.lineItems.filter((i) => orders.some((o) => o.id === i.orderId)).length);
      expect(doc.payments.payments.length).toBe(t.data.payments.filter((p) => p.customerId === customer.id).length);
      expect(doc.logistics.shipments.length).toBe(t.data.shipments.filter((s) => orders.some((o) => o.id === s.orderId)).length);
      const card = doc.payments.payments.find((p: { methodType: string }) => p.methodType === 'CARD');
      if (card) expect(Object.keys(card).filter((k) => /card/i.test(k)).sort()).toEqual(['cardBrand', 'cardExpMonth', 'cardExpYear', 'cardLast4']);
      // Each part names its system of record: the reference SQL systems here.
      for (const part of [doc.crmSystem, doc.omsSystem, doc.paymentsSystem, doc.logisticsSystem]) expect(part).toEqual({ system: 'sql', action: 'EXPORTED' });
      // The export itself is written down.
      const audit = (await t.query(AUDIT, { customerId: customer.id }, await t.asOperations())).body.data.auditLog;
      expect(audit[0]).toMatchObject({ actorKind: 'operations', fields: ['EXPORT'] });
    });

    it('is refused to anyone but operations', async () => {
      const customer = t.data.customers[1];
      const { body } = await t.query(EXPORT, { id: customer.id }, await t.asCustomer(customer.id));
      expect(codeOf(body)).toBe('FORBIDDEN');
      expect(JSON.stringify(body)).not.toContain(customer.lastName);
    });
  });

  describe('GDPR erasure', () => {
    it('pseudonymizes the customer in all four systems, keeps the financial records, and cannot be identified again', async () => {
      const index = ORDER_SCENARIOS.indexOf('refund_paid');
      const customer = t.data.customers[index];
      const order = t.data.orders.find((o) => o.customerId === customer.id)!;
      const agent = await t.asAgent('VOICE');
      const session = await t.verifiedAgent(index, 'HUMAN_DESK');
      // Warm every cache first: erasure must reach them too.
      await t.query(`query ($id: ID!) { customer(id: $id) { email orders(first: 5) { shippingAddress { line1 } } } }`, { id: customer.id }, await t.asCustomer(customer.id));
      await t.operation('IdentifyByOrderNumber', { orderNumber: order.number }, agent);
      const payments = await sql<{ n: string }>`select count(*) as n from payments.payments where customer_id = ${customer.id}`.execute(t.stack.database.db);

      const input = { customerId: customer.id, reason: 'GDPR-4711' };
      const first = await t.query(ERASE, { input }, await t.asOperations());
      expect(first.body.errors).toBeUndefined();
      expect(first.body.data.eraseCustomer.systems.map((s: { system: string }) => s.system)).toEqual(['crm', 'oms', 'payments', 'logistics']);
      expect(first.body.data.eraseCustomer.systems.find((s: { system: string }) => s.system === 'oms').records).toBeGreaterThan(0);
      // Each system says what it did: financial records are kept for bookkeeping.
      expect(first.body.data.eraseCustomer.systems.map((s: { systemOfRecord: string; action: string }) => [s.systemOfRecord, s.action])).toEqual([
        ['sql', 'PSEUDONYMIZED'], ['sql', 'PSEUDONYMIZED'], ['sql', 'KEPT_FOR_BOOKKEEPING'], ['sql', expect.stringMatching(/^(PSEUDONYMIZED|NOTHING_HELD)$/)],
      ]);
      // A repeat is harmless.
      expect((await t.query(ERASE, { input }, await t.asOperations())).body.errors).toBeUndefined();

      expect((await t.operation('IdentifyByEmail', { email: customer.email }, agent)).body.data.identifyByEmail).toEqual([]);
      if (customer.phone) expect((await t.operation('IdentifyByPhone', { phone: customer.phone }, agent)).body.data.identifyByPhone).toEqual([]);
      expect((await t.operation('IdentifyByOrderNumber', { orderNumber: order.number }, agent)).body.data.identifyByOrderNumber).toEqual([]);
      // The erased customer's verified session is gone with them.
      expect(codeOf((await t.operation('CustomerContext', {}, session)).body)).toBe('VERIFICATION_REQUIRED');

      const own = await t.operation('FirstLook', { customerId: customer.id }, await t.asCustomer(customer.id));
      const everything = await t.query(EXPORT, { id: customer.id }, await t.asOperations());
      const seen = JSON.stringify(own.body) + JSON.stringify(everything.body);
      const shipping = customer.addresses.filter((a) => a.kind === 'SHIPPING');
      for (const pii of [customer.firstName, customer.lastName, customer.email, ...shipping.map((a) => a.line1), ...(customer.phone ? [customer.phone] : [])]) {
        expect([pii, seen.includes(pii)]).toEqual([pii, false]);
      }
      expect(own.body.data.customer.orders.length).toBeGreaterThan(0);
      const after = await sql<{ n: string }>`select count(*) as n from payments.payments where customer_id = ${customer.id}`.execute(t.stack.database.db);
      expect(after.rows[0].n).toBe(payments.rows[0].n);
      const audit = (await t.query(AUDIT, { customerId: customer.id }, await t.asOperations())).body.data.auditLog;
      expect(audit.some((e: { fields: string[] }) => e.fields.includes('ERASE') && e.fields.includes('reason: GDPR-4711'))).toBe(true);
    });

    it('is refused to anyone but operations, and answers an unknown customer with NOT_FOUND', async () => {
      const customer = t.data.customers[5];
      const input = { customerId: customer.id, reason: 'not mine to ask' };
      expect(codeOf((await t.query(ERASE, { input }, await t.asCustomer(customer.id))).body)).toBe('FORBIDDEN');
      expect(codeOf((await t.query(ERASE, { input }, await t.verifiedAgent(5, 'HUMAN_DESK'))).body)).toBe('FORBIDDEN');
      expect(codeOf((await t.query(ERASE, { input: { customerId: 'cus_nope', reason: 'x' } }, await t.asOperations())).body)).toBe('NOT_FOUND');
      const still = await t.query(`query ($id: ID!) { customer(id: $id) { lastName } }`, { id: customer.id }, await t.asCustomer(customer.id));
      expect(still.body.data.customer.lastName).toBe(customer.lastName);
    });
  });

  describe('PCI', () => {
    it('keeps no card number a customer reads out into free text, and none is anywhere in the database', async () => {
      const index = ORDER_SCENARIOS.indexOf('payment_overdue');
      const customer = t.data.customers[index];
      const bot = await t.verifiedAgent(index, 'VOICE');
      const said = 'Customer read out 4111 1111 1111 1111 to pay; told them we never take cards by phone';
      const recorded = await t.operation(
        'RecordInteraction',
        { input: { customerId: customer.id, channel: 'VOICE', intent: 'OTHER', outcome: 'RESOLVED', summary: said, stepsTried: ['card 5555-5555-5555-4444'], idempotencyKey: 'pan-1' } },
        bot,
      );
      expect(recorded.body.errors).toBeUndefined();
      const currency = t.data.payments.find((p) => p.customerId === customer.id && p.status === 'AWAITING_PAYMENT')!.amount.currency;
      const promised = await t.operation(
        'PromiseToPay',
        { input: { customerId: customer.id, currency, promisedFor: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), channel: 'VOICE', note: 'use 378282246310005', idempotencyKey: 'pan-2' } },
        bot,
      );
      expect(promised.body.errors).toBeUndefined();

      await assertNoCardNumbersInDatabase(t.stack.database.db);
      const summary = (await sql<{ summary: string }>`select summary from customers_records.interactions where id = ${recorded.body.data.recordInteraction.id}`.execute(t.stack.database.db)).rows[0].summary;
      expect(summary).toBe('Customer read out [card number removed] to pay; told them we never take cards by phone');
    });
  });
});
