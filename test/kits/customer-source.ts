import type { CustomerSource, Handoff, Interaction } from '../../subgraphs/customers/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst } from './batch-contract';
import type { SourceUnderTest } from './order-source';

/**
 * The contract any CRM adapter must meet:
 *
 *   describeCustomerSource('sql on PostgreSQL', async (data) => ({ source, close }));
 */
export function describeCustomerSource(name: string, create: (data: DemoData) => Promise<SourceUnderTest<CustomerSource>>): void {
  describe(`CustomerSource contract: ${name}`, () => {
    const data = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: SourceUnderTest<CustomerSource>;
    beforeAll(async () => {
      subject = await create(data);
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;

    itReadsByKey('getCustomers (with addresses)', (ids) => source().getCustomers(ids), () => indexBy(data.customers, (c) => c.id));
    itReadsByKey('getInteractions', (ids) => source().getInteractions(ids), () => indexBy(data.interactions, (i) => i.id));
    const recent = (customerId: string, first: number) =>
      data.interactions.filter((i) => i.customerId === customerId).sort(newestFirst((i) => i.occurredAt)).slice(0, first);
    itListsByKey(
      'listInteractionsByCustomer (first 2)',
      (ids) => source().listInteractionsByCustomer(ids, 2),
      (id) => recent(id, 2),
      () => data.customers.map((c) => c.id),
    );
    itListsByKey(
      'listInteractionsByOrder',
      (ids) => source().listInteractionsByOrder(ids),
      (id) => data.interactions.filter((i) => i.orderId === id).sort(newestFirst((i) => i.occurredAt)),
      () => [...new Set(data.interactions.map((i) => i.orderId!))],
    );
    it('finds customers by email in any case and by E.164 phone', async () => {
      const c = data.customers.find((x) => x.phone)!;
      await expect(source().findCustomersByEmail([c.email.toUpperCase(), 'nobody@example.org'])).resolves.toEqual([[c], []]);
      await expect(source().findCustomersByPhone([c.phone!])).resolves.toEqual([[c]]);
    });

    it('counts contacts by channel, intent and outcome in a period', async () => {
      const from = new Date(FIXTURE_ANCHOR.getTime() - 365 * 86_400_000);
      const counts = await source().countContacts(from, FIXTURE_ANCHOR);
      const expected = data.interactions.filter((i) => i.occurredAt >= from && i.occurredAt < FIXTURE_ANCHOR).length;
      expect(counts.reduce((sum, c) => sum + c.contacts, 0)).toBe(expected);
    });

    describe('writes', () => {
      const customer = () => data.customers[1];
      const interaction = (id: string, summary = 'asked about a parcel'): Interaction => ({
        id, customerId: customer().id, channel: 'CHAT', intent: 'WHERE_IS_MY_ORDER', outcome: 'RESOLVED', orderId: null, lineItemIds: [],
        stepsTried: ['asked'], failureReason: null, sentiment: null, summary, agentId: 'bot', occurredAt: new Date('2026-11-20T10:00:00Z'),
      });

      it('records an interaction once per key; another input under the key is a CONFLICT', async () => {
        const first = await source().recordInteraction(interaction('int_kit_1'), 'kit-int');
        const repeat = await source().recordInteraction({ ...interaction('int_kit_2'), occurredAt: new Date() }, 'kit-int');
        expect(repeat).toEqual({ interaction: first.interaction, replayed: true });
        await expect(source().getInteractions(['int_kit_2'])).resolves.toEqual([null]);
        await expect(source().recordInteraction(interaction('int_kit_3', 'other'), 'kit-int')).rejects.toMatchObject({ code: 'CONFLICT' });
      });

      it('opens, accepts and resolves a handoff, refusing a second resolution', async () => {
        const handoff: Handoff = {
          id: 'ho_kit', customerId: customer().id, status: 'OPEN', fromChannel: 'PORTAL', toChannel: 'VOICE', intent: 'RETURN', orderId: null,
          lineItemIds: [], stepsTried: ['tried'], failureReason: 'final sale', sentiment: 'NEGATIVE', summary: 's', escalationId: 'int_kit_esc',
          createdAt: new Date('2026-11-20T11:00:00Z'), acceptedAt: null, acceptedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, resolutionSummary: null,
        };
        const opened = await source().escalate(handoff, { ...interaction('int_kit_esc'), outcome: 'ESCALATED' }, 'kit-esc');
        expect(opened.handoff).toEqual(handoff);
        await expect(source().escalate({ ...handoff, id: 'ho_kit_2' }, interaction('int_kit_esc2'), 'kit-esc')).resolves.toMatchObject({ handoff: { id: 'ho_kit' }, replayed: true });
        const accepted = await source().acceptHandoff('ho_kit', { agentId: 'a1', at: new Date('2026-11-20T12:00:00Z') });
        expect(accepted).toMatchObject({ status: 'ACCEPTED', acceptedBy: 'a1' });
        await expect(source().acceptHandoff('ho_kit', { agentId: 'a2', at: new Date() })).resolves.toMatchObject({ status: 'ACCEPTED', acceptedBy: 'a1' });
        await expect(source().acceptHandoff('ho_nope', { agentId: 'a2', at: new Date() })).resolves.toBeNull();
        const resolution = { agentId: 'a1', outcome: 'RESOLVED' as const, summary: 'done', at: new Date('2026-11-20T13:00:00Z') };
        await expect(source().resolveHandoff('ho_kit', resolution, interaction('int_kit_close'), 'kit-res')).resolves.toMatchObject({ status: 'RESOLVED', resolvedBy: 'a1' });
        await expect(source().resolveHandoff('ho_kit', resolution, interaction('int_kit_close'), 'kit-res')).resolves.toMatchObject({ status: 'RESOLVED' });
        await expect(source().resolveHandoff('ho_kit', resolution, interaction('int_kit_close2'), 'kit-res-2')).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(source().resolveHandoff('ho_nope', resolution, interaction('int_kit_close3'), 'kit-res-3')).rejects.toMatchObject({ code: 'NOT_FOUND' });
        await expect(source().listHandoffsByCustomer([customer().id], 5)).resolves.toEqual([[expect.objectContaining({ id: 'ho_kit', status: 'RESOLVED' })]]);
      });

      it('joins an escalation to the unresolved handoff of the same order and intent, and lists every unresolved one', async () => {
        const c = data.customers[3];
        const open = (id: string, intent: Handoff['intent'], orderId: string | null, overrides: Partial<Handoff> = {}): Handoff => ({
          id, customerId: c.id, status: 'OPEN', fromChannel: 'PORTAL', toChannel: 'VOICE', intent, orderId, lineItemIds: [], stepsTried: ['opened order'],
          failureReason: 'first reason', sentiment: null, summary: 'first', escalationId: `int_${id}`, createdAt: new Date('2026-11-20T11:00:00Z'),
          acceptedAt: null, acceptedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, resolutionSummary: null, ...overrides,
        });
        const escalation = (id: string) => ({ ...interaction(id), customerId: c.id, outcome: 'ESCALATED' as const });
        await source().escalate(open('ho_join_1', 'RETURN', 'ord_join', { lineItemIds: ['li_a'] }), escalation('int_ho_join_1'), 'kit-join-1');
        const joined = await source().escalate(
          open('ho_join_2', 'RETURN', 'ord_join', { toChannel: 'HUMAN_DESK', lineItemIds: ['li_b'], stepsTried: ['opened order', 'called'], failureReason: 'second reason', summary: 'second', createdAt: new Date('2026-11-20T12:00:00Z') }),
          escalation('int_ho_join_2'),
          'kit-join-2',
        );
        expect(joined).toMatchObject({
          replayed: false,
          handoff: { id: 'ho_join_1', status: 'OPEN', toChannel: 'HUMAN_DESK', lineItemIds: ['li_a', 'li_b'], stepsTried: ['opened order', 'called'], failureReason: 'second reason', summary: 'second' },
        });
        await expect(source().getHandoffs(['ho_join_2'])).resolves.toEqual([null]);
        await expect(source().getInteractions(['int_ho_join_2'])).resolves.toEqual([expect.objectContaining({ outcome: 'ESCALATED' })]);
        // Another intent, or the same intent about no order, is another question: a handoff of its own.
        await source().escalate(open('ho_join_3', 'REFUND_STATUS', 'ord_join', { createdAt: new Date('2026-11-20T13:00:00Z') }), escalation('int_ho_join_3'), 'kit-join-3');
        await source().escalate(open('ho_join_4', 'RETURN', null, { createdAt: new Date('2026-11-20T14:00:00Z') }), escalation('int_ho_join_4'), 'kit-join-4');
        const [listed] = await source().listOpenHandoffsByCustomer([c.id]);
        expect(listed.map((h) => h.id)).toEqual(['ho_join_4', 'ho_join_3', 'ho_join_1']);
        await expect(source().listOpenHandoffsByCustomer([])).resolves.toEqual([]);
        await expect(source().listOpenHandoffsByCustomer(['cus_nope', c.id])).resolves.toEqual([[], listed]);
      });

      it('locks verification after the allowed failures, whatever the answer', async () => {
        const c = data.customers[2];
        const policy = { windowStart: new Date(Date.now() - 60_000), maxFailures: 2 };
        const attempt = (correct: boolean) =>
          source().recordVerificationAttempt({ customerId: c.id, channel: 'VOICE', method: 'POSTAL_CODE', correct, agentId: null, at: new Date() }, policy);
        await expect(attempt(false)).resolves.toMatchObject({ status: 'WRONG_ANSWER', failuresInWindow: 1 });
        await expect(attempt(true)).resolves.toMatchObject({ status: 'VERIFIED', failuresInWindow: 1 });
        await expect(attempt(false)).resolves.toMatchObject({ status: 'WRONG_ANSWER', failuresInWindow: 2 });
        await expect(attempt(true)).resolves.toMatchObject({ status: 'LOCKED', failuresInWindow: 2 });
      });

      it('stores verified sessions, read back by id', async () => {
        const session = { id: 'vs_kit', tokenHash: 'hash-kit', customerId: customer().id, channel: 'VOICE' as const, method: 'EMAIL' as const, agentId: null, createdAt: new Date('2026-11-20T10:00:00Z'), expiresAt: new Date('2026-11-20T10:15:00Z') };
        await source().createVerifiedSession(session);
        await expect(source().getVerifiedSessions(['missing', 'vs_kit'])).resolves.toEqual([null, session]);
      });
    });

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
