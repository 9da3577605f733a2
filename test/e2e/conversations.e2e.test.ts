import { sql } from 'kysely';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { signSessionToken } from '../../subgraphs/shared/auth';
import { startTestStack, type Caller, type TestStack } from '../helpers/stack';

const scenarioCustomer = (t: TestStack, scenario: (typeof ORDER_SCENARIOS)[number]) => t.data.customers[ORDER_SCENARIOS.indexOf(scenario)];
const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;
const count = async (t: TestStack, table: string, where: string, value: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(where)} = ${value}`.execute(t.stack.database.db)).rows[0].n);

/** The agent, with a session for the fixture customer it just verified. */
const verify = (t: TestStack, customerIndex: number, channel = 'VOICE') => t.verifiedAgent(customerIndex, channel);

describe('conversation flows through the gateway, on PostgreSQL', () => {
  let t: TestStack;
  let agent: Caller;
  beforeAll(async () => {
    t = await startTestStack({ customers: 40 });
    agent = await t.asAgent('VOICE');
  });
  afterAll(() => t?.close());

  describe('identify', () => {
    it('finds a caller by a phone number given nationally or internationally, by the customer’s country', async () => {
      const customer = t.data.customers.find((c) => c.country === 'DE' && c.phone)!;
      const national = `0${customer.phone!.slice(3, 6)} ${customer.phone!.slice(6)}`;
      for (const phone of [customer.phone!, national, `0049 ${customer.phone!.slice(3)}`]) {
        const { body } = await t.operation('IdentifyByPhone', { phone }, agent);
        expect(body.errors).toBeUndefined();
        expect(body.data.identifyByPhone).toEqual([{ matchedBy: 'PHONE', identification: expect.any(String), caller: expect.objectContaining({ id: customer.id, maskedPhone: '+49 •••' }) }]);
      }
    });

    it('finds a caller by email in any letter case, and reveals only the masked view', async () => {
      const customer = t.data.customers[5];
      const { body } = await t.operation('IdentifyByEmail', { email: `  ${customer.email.toUpperCase()} ` }, agent);
      expect(body.data.identifyByEmail).toEqual([
        {
          matchedBy: 'EMAIL',
          identification: expect.any(String),
          caller: {
            id: customer.id,
            firstName: customer.firstName,
            maskedEmail: `${customer.email[0]}•••@example.com`,
            maskedPhone: customer.phone ? expect.stringMatching(/^\+\d+ •••$/) : null,
            preferredLanguage: customer.preferredLanguage,
          },
        },
      ]);
      expect(JSON.stringify(body)).not.toContain(customer.lastName);
    });

    it('answers no match with an empty list', async () => {
      expect((await t.operation('IdentifyByEmail', { email: 'nobody@example.org' }, agent)).body.data.identifyByEmail).toEqual([]);
      expect((await t.operation('IdentifyByPhone', { phone: '+4915100000000' }, agent)).body.data.identifyByPhone).toEqual([]);
      expect((await t.operation('IdentifyByOrderNumber', { orderNumber: 'NW-999999' }, agent)).body.data.identifyByOrderNumber).toEqual([]);
    });

    it.each([
      ['IdentifyByPhone', { phone: 'call me maybe' }],
      ['IdentifyByPhone', { phone: '+49 12' }],
      ['IdentifyByEmail', { email: 'not-an-email' }],
      ['IdentifyByOrderNumber', { orderNumber: 'my order from tuesday' }],
    ])('refuses malformed input to %s with BAD_USER_INPUT', async (name, variables) => {
      const { body } = await t.operation(name, variables, agent);
      expect(codeOf(body)).toBe('BAD_USER_INPUT');
    });
  });

  describe('verify', () => {
    it('verifies by the last four phone digits, the email or the date of birth on file: a fact other than the one that identified the caller', async () => {
      const index = t.data.customers.findIndex((c) => c.phone && c.dateOfBirth);
      const customer = t.data.customers[index];
      const chat = await t.asAgent('CHAT');
      const byEmail = await t.identify(index, 'CHAT');
      const byPhone = await t.operation('VerifyCaller', { input: { callerId: customer.id, identification: byEmail, channel: 'CHAT', method: 'PHONE_LAST4', answer: customer.phone!.slice(-4) } }, chat);
      expect(byPhone.body.data.verifyCaller.status).toBe('VERIFIED');
      const [y, m, d] = customer.dateOfBirth!.split('-');
      const byBirth = await t.operation('VerifyCaller', { input: { callerId: customer.id, identification: byEmail, channel: 'CHAT', method: 'DATE_OF_BIRTH', answer: `${Number(d)}.${m}.${y}` } }, chat);
      expect(byBirth.body.data.verifyCaller.status).toBe('VERIFIED');
      const identified = await t.operation('IdentifyByPhone', { phone: customer.phone }, chat);
      const byPhoneId = identified.body.data.identifyByPhone[0].identification;
      const emailAnswer = await t.operation('VerifyCaller', { input: { callerId: customer.id, identification: byPhoneId, channel: 'CHAT', method: 'EMAIL', answer: customer.email.toUpperCase() } }, chat);
      expect(emailAnswer.body.data.verifyCaller).toMatchObject({ status: 'VERIFIED', session: { channel: 'CHAT' } });
    });

    it('never verifies a caller by the fact they were identified by, nor without an identification of them', async () => {
      const index = t.data.customers.findIndex((c) => c.phone);
      const customer = t.data.customers[index];
      const chat = await t.asAgent('CHAT');
      const attemptsBefore = await count(t, 'customers_records.verification_attempts', 'customer_id', customer.id);
      const verify = (identification: unknown, method: string, answer: string, as = chat) =>
        t.operation('VerifyCaller', { input: { callerId: customer.id, identification, channel: 'CHAT', method, answer } }, as);
      const byEmail = await t.identify(index, 'CHAT');
      const sameEmail = await verify(byEmail, 'EMAIL', customer.email);
      expect([sameEmail.status, codeOf(sameEmail.body)]).toEqual([400, 'BAD_USER_INPUT']);
      expect(sameEmail.body.errors![0].message).toMatch(/identified by email: EMAIL cannot verify them; verify with POSTAL_CODE, PHONE_LAST4, DATE_OF_BIRTH/);
      const byPhone = (await t.operation('IdentifyByPhone', { phone: customer.phone }, chat)).body.data.identifyByPhone[0].identification;
      expect(codeOf((await verify(byPhone, 'PHONE_LAST4', customer.phone!.slice(-4))).body)).toBe('BAD_USER_INPUT');
      // Another customer's identification, a forged one, one from another channel: refused alike.
      const otherIndex = t.data.customers.findIndex((c, i) => i !== index && c.phone);
      for (const identification of [await t.identify(otherIndex, 'CHAT'), `${byEmail}x`, await t.identify(index, 'VOICE')]) {
        expect(codeOf((await verify(identification, 'POSTAL_CODE', customer.addresses[0].postalCode)).body)).toBe('BAD_USER_INPUT');
      }
      // Refused before any answer is checked: nothing recorded, nothing counted toward the lock.
      expect(await count(t, 'customers_records.verification_attempts', 'customer_id', customer.id)).toBe(attemptsBefore);
    });

    it('throttles a customer after 5 wrong answers in 15 minutes, even for the right answer, and records every attempt', async () => {
      // Customers 38 and 39 are locked by these two tests; no other test verifies them.
      const customer = t.data.customers[38];
      const identification = await t.identify(38, 'VOICE');
      const attempt = (answer: string) =>
        t.operation('VerifyCaller', { input: { callerId: customer.id, identification, channel: 'VOICE', method: 'POSTAL_CODE', answer } }, agent);
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { body } = await attempt('00000');
        expect(body.data.verifyCaller.status).toBe('WRONG_ANSWER');
        remaining.push(body.data.verifyCaller.attemptsRemaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const locked = await attempt(customer.addresses[0].postalCode);
      expect(locked.body.data.verifyCaller).toMatchObject({ status: 'LOCKED', session: null, attemptsRemaining: 0 });
      expect(Date.parse(locked.body.data.verifyCaller.lockedUntil)).toBeGreaterThan(Date.now());
      expect(await count(t, 'customers_records.verification_attempts', 'customer_id', customer.id)).toBe(6);
    });

    it('counts concurrent guesses one at a time: a burst cannot get past the lock', async () => {
      const customer = t.data.customers[39];
      const chat = await t.asAgent('CHAT');
      const identification = await t.identify(39, 'CHAT');
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          t.operation('VerifyCaller', { input: { callerId: customer.id, identification, channel: 'CHAT', method: 'PHONE_LAST4', answer: String(1000 + i) } }, chat),
        ),
      );
      const statuses = burst.map((r) => r.body.data.verifyCaller.status);
      expect(statuses.filter((s) => s === 'WRONG_ANSWER').length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 'LOCKED').length).toBeGreaterThanOrEqual(7);
    });

    it('refuses an unknown caller with NOT_FOUND and an overlong answer with BAD_USER_INPUT', async () => {
      const unknown = await t.operation('VerifyCaller', { input: { callerId: 'cus_nope', identification: 'none', channel: 'VOICE', method: 'POSTAL_CODE', answer: '12345' } }, agent);
      expect(codeOf(unknown.body)).toBe('NOT_FOUND');
      const identification = await t.identify(0, 'VOICE');
      const long = await t.operation('VerifyCaller', { input: { callerId: t.data.customers[0].id, identification, channel: 'VOICE', method: 'POSTAL_CODE', answer: 'x'.repeat(300) } }, agent);
      expect(codeOf(long.body)).toBe('BAD_USER_INPUT');
    });

    it('refuses the context for an unknown session and for an expired one, with distinct codes', async () => {
      const unknown = await t.operation('CustomerContext', {}, await t.asAgent('VOICE', { session: 'not-a-session' }));
      expect(codeOf(unknown.body)).toBe('VERIFICATION_REQUIRED');
      expect(unknown.body.data).toBeUndefined();
      const none = await t.operation('CustomerContext', {}, agent);
      expect(codeOf(none.body)).toBe('VERIFICATION_REQUIRED');
      const past = { sessionId: 'vs_old', customerId: t.data.customers[6].id, channel: 'VOICE' as const, expiresAt: new Date(Date.now() - 1_000) };
      const expired = await t.operation('CustomerContext', {}, await t.asAgent('VOICE', { session: await signSessionToken(past, t.stack.config.gatewaySecret) }));
      expect(codeOf(expired.body)).toBe('VERIFICATION_EXPIRED');
    });
  });

  describe('context per turn', () => {
    it('gives profile, orders with items, parcels and exceptions, payments, returns, refunds and interactions in one round trip', async () => {
      const customer = scenarioCustomer(t, 'exception_lost');
      const token = await verify(t, ORDER_SCENARIOS.indexOf('exception_lost'));
      const { body } = await t.operation('CustomerContext', { locale: customer.locale }, token);
      expect(body.errors).toBeUndefined();
      const me = body.data.verifiedCustomer;
      expect(me).toMatchObject({ id: customer.id, firstName: customer.firstName, locale: customer.locale, loyaltyTier: customer.loyaltyTier });
      const lost = me.activeOrders.flatMap((o: any) => o.shipments).find((s: any) => s.exception?.kind === 'LOST');
      expect(lost.exception.text).toBe('The parcel is lost');
      expect(me.activeOrders[0].payments[0].method).toEqual(expect.objectContaining({ type: expect.any(String) }));
      expect(me.interactions.length).toBeGreaterThan(0);
    });

    it('shows refunds, open disputes and overdue balances to the agent', async () => {
      const pending = await t.operation('CustomerContext', {}, await verify(t, ORDER_SCENARIOS.indexOf('refund_pending')));
      expect(pending.body.data.verifiedCustomer.activeOrders.flatMap((o: any) => o.refunds).map((r: any) => r.status)).toContain('PENDING');
      const disputed = await t.operation('CustomerContext', {}, await verify(t, ORDER_SCENARIOS.indexOf('disputed')));
      expect(disputed.body.data.verifiedCustomer.disputes).toEqual([expect.objectContaining({ status: 'NEEDS_RESPONSE' })]);
      const overdue = await t.operation('CustomerContext', {}, await verify(t, ORDER_SCENARIOS.indexOf('payment_overdue')));
      expect(overdue.body.data.verifiedCustomer.openBalances[0].overdue.formatted).toMatch(/\d/);
    });

    it('writes the brief in the customer’s language, deterministically, within 1,000 characters for every customer', async () => {
      for (let index = 0; index < 36; index += 3) {
        const customer = t.data.customers[index];
        const token = await verify(t, index, 'CHAT');
        const first = await t.operation('CustomerContext', {}, token);
        const again = await t.operation('CustomerContext', {}, token);
        const brief: string = first.body.data.verifiedCustomer.brief;
        expect(brief).toBe(again.body.data.verifiedCustomer.brief);
        expect(brief.length).toBeLessThanOrEqual(1_000);
        expect(brief).toContain(customer.firstName);
        const word = { de: 'spricht', fr: 'parle', es: 'habla', en: 'speaks' }[customer.preferredLanguage as 'de'];
        expect([customer.id, brief.includes(word)]).toEqual([customer.id, true]);
      }
    });

    it('keeps the brief short however long the history: a customer with many long interactions', async () => {
      const customer = t.data.customers[12];
      const emailDesk = await t.verifiedAgent(12, 'EMAIL');
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          t.operation('RecordInteraction', {
            input: { customerId: customer.id, channel: 'EMAIL', intent: 'OTHER', outcome: 'ABANDONED', summary: 'x'.repeat(1_900), stepsTried: Array(20).fill('y'.repeat(250)), idempotencyKey: `long-${i}` },
          }, emailDesk),
        ),
      );
      await t.operation('Escalate', {
        input: { customerId: customer.id, fromChannel: 'EMAIL', toChannel: 'HUMAN_DESK', intent: 'OTHER', stepsTried: Array(30).fill('z'.repeat(300)), failureReason: 'r'.repeat(1_000), summary: 's'.repeat(2_000), idempotencyKey: 'long-escalation' },
      }, emailDesk);
      const { body } = await t.operation('CustomerContext', {}, await verify(t, 12));
      expect(body.data.verifiedCustomer.brief.length).toBeLessThanOrEqual(1_000);
      expect(body.data.verifiedCustomer.brief).toContain('rrrrrrrrrr');
    });
  });

  describe('record interactions', () => {
    const input = (customerId: string, key: string, summary = 'Asked where the parcel is') => ({
      customerId, channel: 'CHAT', intent: 'WHERE_IS_MY_ORDER', outcome: 'RESOLVED', summary, stepsTried: ['asked bot'], idempotencyKey: key,
    });

    it('is seen by the very next query of any channel', async () => {
      const customer = t.data.customers[7];
      const chat = await t.verifiedAgent(7, 'CHAT');
      const recorded = await t.operation('RecordInteraction', { input: input(customer.id, 'seen-next') }, chat);
      const { body } = await t.query(`query ($id: ID!) { customer(id: $id) { interactions(first: 1) { id } } }`, { id: customer.id }, await t.asCustomer(customer.id));
      expect(body.data.customer.interactions[0].id).toBe(recorded.body.data.recordInteraction.id);
    });

    it('records concurrent duplicates of one idempotency key exactly once, and answers them all alike', async () => {
      const customer = t.data.customers[8];
      const chat = await t.verifiedAgent(8, 'CHAT');
      const results = await Promise.all(Array.from({ length: 20 }, () => t.operation('RecordInteraction', { input: input(customer.id, 'burst-key') }, chat)));
      const ids = new Set(results.map((r) => r.body.data.recordInteraction.id));
      expect(ids.size).toBe(1);
      expect(await count(t, 'customers_records.interactions', 'id', [...ids][0])).toBe(1);
      const again = await t.operation('RecordInteraction', { input: input(customer.id, 'burst-key') }, chat);
      expect(again.body.data.recordInteraction.id).toBe([...ids][0]);
    });

    it('refuses the same key with other input (CONFLICT) and writes nothing', async () => {
      const customer = t.data.customers[9];
      const chat = await t.verifiedAgent(9, 'CHAT');
      await t.operation('RecordInteraction', { input: input(customer.id, 'conflict-key') }, chat);
      const before = await count(t, 'customers_records.interactions', 'customer_id', customer.id);
      const other = await t.operation('RecordInteraction', { input: input(customer.id, 'conflict-key', 'something else') }, chat);
      expect(codeOf(other.body)).toBe('CONFLICT');
      expect(await count(t, 'customers_records.interactions', 'customer_id', customer.id)).toBe(before);
    });

    it.each([
      ['an unknown customer', { customerId: 'cus_nope' }, 'NOT_FOUND'],
      ['line items without their order', { lineItemIds: ['li_1'] }, 'BAD_USER_INPUT'],
      ['an overlong summary', { summary: 'x'.repeat(2_001) }, 'BAD_USER_INPUT'],
      ['too many steps', { stepsTried: Array(31).fill('step') }, 'BAD_USER_INPUT'],
      ['an empty idempotency key', { idempotencyKey: '' }, 'BAD_USER_INPUT'],
      ['an unknown channel', { channel: 'FAX' }, 'BAD_USER_INPUT'],
    ])('refuses %s, writing nothing', async (_, override, code) => {
      const customer = t.data.customers[10];
      const before = await count(t, 'customers_records.interactions', 'customer_id', customer.id);
      const { body } = await t.operation('RecordInteraction', { input: { ...input(customer.id, `bad-${Math.random().toString(36).slice(2)}`), ...override } }, await t.verifiedAgent(10, 'CHAT'));
      expect(codeOf(body)).toBe(code);
      expect(await count(t, 'customers_records.interactions', 'customer_id', customer.id)).toBe(before);
    });
  });

  describe('handoffs', () => {
    const escalate = async (customerId: string, key: string, toChannel = 'CHAT') =>
      t.operation('Escalate', {
        input: { customerId, fromChannel: 'PORTAL', toChannel, intent: 'REFUND_STATUS', stepsTried: ['checked refund'], failureReason: 'refund not shown', summary: 'Refund missing', idempotencyKey: key },
      }, await t.asCustomer(customerId));

    it('escalates once per key, and lets one agent accept and resolve it', async () => {
      const customer = t.data.customers[13];
      const [a, b] = await Promise.all([escalate(customer.id, 'esc-13'), escalate(customer.id, 'esc-13')]);
      expect(a.body.data.escalate.id).toBe(b.body.data.escalate.id);
      const id = a.body.data.escalate.id;
      expect(await count(t, 'customers_records.handoffs', 'customer_id', customer.id)).toBe(1);

      const desk1 = await t.verifiedAgent(13, 'CHAT', 'desk-1');
      const desk2 = await t.verifiedAgent(13, 'CHAT', 'desk-2');
      expect((await t.operation('AcceptHandoff', { input: { handoffId: id, agentId: 'desk-1', channel: 'CHAT' } }, desk1)).body.data.acceptHandoff.status).toBe('ACCEPTED');
      expect((await t.operation('AcceptHandoff', { input: { handoffId: id, agentId: 'desk-1', channel: 'CHAT' } }, desk1)).body.data.acceptHandoff.status).toBe('ACCEPTED');
      const stolen = await t.operation('AcceptHandoff', { input: { handoffId: id, agentId: 'desk-2', channel: 'CHAT' } }, desk2);
      expect(codeOf(stolen.body)).toBe('CONFLICT');

      const resolve = (key: string) =>
        t.operation('ResolveHandoff', { input: { handoffId: id, agentId: 'desk-1', channel: 'CHAT', outcome: 'RESOLVED', summary: 'Refund re-issued', idempotencyKey: key } }, desk1);
      expect((await resolve('res-13')).body.data.resolveHandoff.status).toBe('RESOLVED');
      expect((await resolve('res-13')).body.data.resolveHandoff.status).toBe('RESOLVED');
      expect(codeOf((await resolve('res-13-other')).body)).toBe('CONFLICT');
      // The escalation and the one resolution: two interactions, not three.
      expect(Number((await sql<{ n: string }>`select count(*) as n from customers_records.interactions where customer_id = ${customer.id} and intent = 'REFUND_STATUS' and occurred_at > now() - interval '1 hour'`.execute(t.stack.database.db)).rows[0].n)).toBe(2);
    });

    it('refuses a handoff to the portal, an unknown handoff, and a missing failure reason', async () => {
      const customer = t.data.customers[14];
      expect(codeOf((await escalate(customer.id, 'esc-14', 'PORTAL')).body)).toBe('BAD_USER_INPUT');
      expect(codeOf((await t.operation('AcceptHandoff', { input: { handoffId: 'ho_nope', agentId: 'a', channel: 'VOICE' } }, await t.verifiedAgent(14))).body)).toBe('NOT_FOUND');
      const blank = await t.operation('Escalate', {
        input: { customerId: customer.id, fromChannel: 'PORTAL', toChannel: 'VOICE', intent: 'OTHER', stepsTried: [], failureReason: ' ', summary: 'x', idempotencyKey: 'esc-14-b' },
      }, await t.asCustomer(customer.id));
      expect(codeOf(blank.body)).toBe('BAD_USER_INPUT');
      expect(await count(t, 'customers_records.handoffs', 'customer_id', customer.id)).toBe(0);
    });
  });

  describe('returns', () => {
    const eligibleOrder = (scenario: (typeof ORDER_SCENARIOS)[number]) => {
      const customer = scenarioCustomer(t, scenario);
      const order = t.data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
      return { customer, order, items: t.data.lineItems.filter((i) => i.orderId === order.id) };
    };

    it('answers policy questions from the rules: shoes in Germany, electronics in France', async () => {
      const shoes = await t.operation('ReturnPolicy', { category: 'shoes', country: 'de', locale: 'de-DE' }, agent);
      expect(shoes.body.data.returnPolicy).toMatchObject({ returnable: true, windowDays: 60, startsFrom: 'DELIVERY', legalMinimumDays: 14 });
      expect(shoes.body.data.returnPolicy.summary).toContain('60 Tagen');
      const gadgets = await t.operation('ReturnPolicy', { category: 'electronics', country: 'US' }, agent);
      expect(gadgets.body.data.returnPolicy).toMatchObject({ returnable: true, windowDays: 14, legalMinimumDays: null });
      const cards = await t.operation('ReturnPolicy', { category: 'gift-cards', country: 'FR', locale: 'fr-FR' }, agent);
      expect(cards.body.data.returnPolicy).toMatchObject({ returnable: false, windowDays: null });
      expect(codeOf((await t.operation('ReturnPolicy', { category: 'shoes', country: 'Germany' }, agent)).body)).toBe('BAD_USER_INPUT');
    });

    it('creates the RMA, the label and the expected refund once per key, even for concurrent duplicates', async () => {
      const { order, items } = eligibleOrder('delivered_final_sale');
      const item = items[0];
      const input = { orderId: order.id, idempotencyKey: `ret-${order.id}`, items: [{ lineItemId: item.id, quantity: item.quantity, reason: 'DOES_NOT_FIT' }] };
      const portal = await t.asCustomer(order.customerId);
      const results = await Promise.all(Array.from({ length: 5 }, () => t.operation('InitiateReturn', { input }, portal)));
      for (const r of results) expect(r.body.errors).toBeUndefined();
      const rmas = new Set(results.map((r) => r.body.data.initiateReturn.return.rma));
      expect(rmas.size).toBe(1);
      const ret = results[0].body.data.initiateReturn.return;
      expect(ret).toMatchObject({ status: 'REQUESTED', items: [{ quantity: item.quantity, lineItem: { id: item.id } }] });
      expect(ret.labels).toEqual([expect.objectContaining({ carrier: expect.any(String), trackingNumber: expect.stringMatching(/^RT/) })]);
      expect(ret.refunds).toEqual([
        expect.objectContaining({ status: 'PENDING', amount: expect.objectContaining({ amountMinor: item.unitPrice.amountMinor * item.quantity, currency: order.currency }) }),
      ]);
      expect(await count(t, 'oms.returns', 'order_id', order.id)).toBe(1);
      expect(await count(t, 'logistics.return_labels', 'order_id', order.id)).toBe(1);
      expect(await count(t, 'payments_records.expected_refunds', 'order_id', order.id)).toBe(1);

      const replay = await t.operation('InitiateReturn', { input }, portal);
      expect(replay.body.data.initiateReturn).toMatchObject({ status: 'CREATED', return: { rma: ret.rma } });
      const conflicting = await t.operation('InitiateReturn', { input: { ...input, items: [{ ...input.items[0], reason: 'CHANGED_MIND' }] } }, portal);
      expect(codeOf(conflicting.body)).toBe('CONFLICT');
      const again = await t.operation('InitiateReturn', { input: { ...input, idempotencyKey: `ret-${order.id}-again` } }, portal);
      expect(again.body.data.initiateReturn).toMatchObject({ status: 'REFUSED', refusals: [{ reason: 'ALREADY_RETURNED' }] });
    });

    it('refuses what the policy refuses, creating nothing: not yet delivered, window closed', async () => {
      const { order, items } = eligibleOrder('processing');
      const { body } = await t.operation('InitiateReturn', {
        input: { orderId: order.id, idempotencyKey: `ret-${order.id}`, items: [{ lineItemId: items[0].id, quantity: 1, reason: 'CHANGED_MIND' }] },
      }, await t.asCustomer(order.customerId));
      expect(body.data.initiateReturn).toMatchObject({ status: 'REFUSED', return: null, refusals: [{ reason: 'NOT_DELIVERED' }] });
      const old = t.data.orders.find((o) => o.deliveredAt && o.deliveredAt.getTime() < t.anchor.getTime() - 70 * 86_400_000)!;
      const oldItem = t.data.lineItems.find((i) => i.orderId === old.id && !i.finalSale)!;
      const late = await t.operation('ReturnEligibility', { orderId: old.id, locale: 'de-DE' }, await t.asCustomer(old.customerId));
      const judged = late.body.data.order.returnEligibility.find((e: any) => e.lineItem.id === oldItem.id);
      expect(judged).toMatchObject({ eligible: false, reason: 'WINDOW_CLOSED', reasonText: 'Die Rückgabefrist ist abgelaufen' });
      expect(await count(t, 'oms.returns', 'order_id', order.id)).toBe(0);
    });

    it.each([
      ['no items', (o: any) => ({ items: [] }), 'BAD_USER_INPUT'],
      ['an item of another order', (o: any) => ({ items: [{ lineItemId: o.foreignItem, quantity: 1, reason: 'OTHER' }] }), 'BAD_USER_INPUT'],
      ['more than was bought', (o: any) => ({ items: [{ lineItemId: o.item.id, quantity: o.item.quantity + 1, reason: 'OTHER' }] }), 'BAD_USER_INPUT'],
      ['a zero quantity', (o: any) => ({ items: [{ lineItemId: o.item.id, quantity: 0, reason: 'OTHER' }] }), 'BAD_USER_INPUT'],
      ['the same item twice', (o: any) => ({ items: [1, 2].map(() => ({ lineItemId: o.item.id, quantity: 1, reason: 'OTHER' })) }), 'BAD_USER_INPUT'],
      ['an unknown order', () => ({ orderId: 'ord_nope' }), 'NOT_FOUND'],
      ['an unknown reason', (o: any) => ({ items: [{ lineItemId: o.item.id, quantity: 1, reason: 'BORED' }] }), 'BAD_USER_INPUT'],
    ])('refuses %s with a coded error and creates nothing', async (_, change, code) => {
      const { order, items } = eligibleOrder('delivered');
      const foreignItem = t.data.lineItems.find((i) => i.orderId !== order.id)!.id;
      const base = { orderId: order.id, idempotencyKey: `bad-${Math.random().toString(36).slice(2)}`, items: [{ lineItemId: items[0].id, quantity: 1, reason: 'OTHER' }] };
      const { body } = await t.operation('InitiateReturn', { input: { ...base, ...change({ item: items[0], foreignItem }) } }, await t.asCustomer(order.customerId));
      expect(codeOf(body)).toBe(code);
      expect(await count(t, 'oms.returns', 'order_id', order.id)).toBe(0);
    });
  });

  describe('promise to pay', () => {
    it('records a promise against the open balance, shown with the balance in the context', async () => {
      const index = ORDER_SCENARIOS.indexOf('payment_overdue');
      const customer = t.data.customers[index];
      const currency = t.data.payments.find((p) => p.customerId === customer.id && p.status === 'AWAITING_PAYMENT')!.amount.currency;
      const promisedFor = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      const input = { customerId: customer.id, currency, promisedFor, channel: 'VOICE', agentId: 'voice-bot', idempotencyKey: `ptp-${customer.id}` };
      const voice = await verify(t, index);
      const first = await t.operation('PromiseToPay', { input, locale: customer.locale }, voice);
      expect(first.body.errors).toBeUndefined();
      const second = await t.operation('PromiseToPay', { input }, voice);
      expect(second.body.data.promiseToPay.id).toBe(first.body.data.promiseToPay.id);
      const { body } = await t.operation('CustomerContext', {}, voice);
      expect(body.data.verifiedCustomer.openBalances[0].promises).toEqual([expect.objectContaining({ promisedFor })]);
    });

    it.each([
      ['a date in the past', { promisedFor: '2020-01-01' }],
      ['a date too far ahead', { promisedFor: '2099-01-01' }],
      ['a malformed date', { promisedFor: 'next friday' }],
      ['a currency with no open balance', { currency: 'JPY' }],
      ['more than is owed', { amountMinor: 99_999_999 }],
    ])('refuses %s with BAD_USER_INPUT', async (_, override) => {
      const customer = scenarioCustomer(t, 'payment_overdue');
      const currency = t.data.payments.find((p) => p.customerId === customer.id && p.status === 'AWAITING_PAYMENT')!.amount.currency;
      const input = { customerId: customer.id, currency, promisedFor: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10), channel: 'VOICE', idempotencyKey: `bad-${Math.random().toString(36).slice(2)}` };
      const voice = await verify(t, ORDER_SCENARIOS.indexOf('payment_overdue'));
      expect(codeOf((await t.operation('PromiseToPay', { input: { ...input, ...override } }, voice)).body)).toBe('BAD_USER_INPUT');
    });
  });

  describe('contact rate', () => {
    it('counts contacts per order placed in a period, by channel and intent, and the self-service share', async () => {
      const from = new Date(t.anchor.getTime() - 360 * 86_400_000);
      const to = new Date(t.anchor.getTime() - 30 * 86_400_000);
      const { body } = await t.operation('ContactRate', { from: from.toISOString(), to: to.toISOString() }, await t.asOperations());
      expect(body.errors).toBeUndefined();
      const inPeriod = <T>(list: T[], at: (x: T) => Date) => list.filter((x) => at(x) >= from && at(x) < to);
      const contacts = inPeriod(t.data.interactions, (i) => i.occurredAt);
      const orders = inPeriod(t.data.orders, (o) => o.placedAt);
      const selfServed = contacts.filter((c) => c.outcome === 'RESOLVED' && ['PORTAL', 'CHAT', 'VOICE'].includes(c.channel));
      const report = body.data.contactRate;
      expect(report).toMatchObject({ contacts: contacts.length, orderCount: orders.length, resolvedInSelfService: selfServed.length });
      expect(report.contactsPerOrder).toBeCloseTo(contacts.length / orders.length, 10);
      expect(report.byChannel.reduce((s: number, c: any) => s + c.contacts, 0)).toBe(contacts.length);
      expect(report.byIntent.reduce((s: number, c: any) => s + c.contacts, 0)).toBe(contacts.length);
    });

    it('refuses a period that ends before it starts', async () => {
      const { body } = await t.operation('ContactRate', { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, await t.asOperations());
      expect(codeOf(body)).toBe('BAD_USER_INPUT');
    });
  });
});
