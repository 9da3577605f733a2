import { sql, type Kysely } from 'kysely';
import { createDatabase, migrateSchema } from '../../shared/db';
import { createLogger } from '../../shared/logger';
import { generateDemoData } from '../../../test/fixtures/demo-data';
import { createTestDatabase } from '../../../test/helpers/db';
import { FIXTURE_ANCHOR } from '../../../test/helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst } from '../../../test/kits/batch-contract';
import { migrations as crmMigrations } from '../adapters/sql/migrations';
import type { Handoff, Interaction } from '../port';
import { createCustomerRecords, CUSTOMER_RECORDS_SCHEMA, type CustomerRecords } from '.';
import type { RecordsDb } from './queries';
import { seedCustomerRecords } from './seed';

const logger = createLogger('test', 'silent');

async function open(where: 'postgres' | 'pglite') {
  if (where === 'pglite') {
    const database = await createDatabase();
    return { db: database.db as Kysely<any>, drop: () => database.close() };
  }
  const { database, drop } = await createTestDatabase();
  return { db: database.db as Kysely<any>, drop };
}

/** The graph's own customer records, whatever the CRM: interactions, handoffs, verification, sessions, audit. */
function describeCustomerRecords(where: 'postgres' | 'pglite') {
  describe(`the customers subgraph's own records on ${where}`, () => {
    const data = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let records: CustomerRecords;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const opened = await open(where);
      drop = opened.drop;
      records = await createCustomerRecords(opened.db, { system: 'sql', links: { sharesGraphCustomerIds: true }, logger });
      await seedCustomerRecords(opened.db.withSchema(CUSTOMER_RECORDS_SCHEMA) as unknown as RecordsDb, data);
    });
    afterAll(() => drop?.());
    const source = () => records;

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

      it('reports how soon handoffs opened in a period were accepted and resolved, p50 and p90, by the channels they came from and went to', async () => {
        // In 2030: no fixture handoff shares the period.
        const opened = new Date('2030-01-10T09:00:00Z');
        const at = (seconds: number) => new Date(opened.getTime() + seconds * 1000);
        // A customer no other test counts the contacts of: these handoffs add interactions.
        const c = data.customers[21];
        const open = async (n: number, fromChannel: Handoff['fromChannel'], toChannel: Handoff['toChannel']) => {
          const handoff: Handoff = {
            id: `ho_health_${n}`, customerId: c.id, status: 'OPEN', fromChannel, toChannel, intent: 'RETURN', orderId: `ord_health_${n}`, lineItemIds: [],
            stepsTried: [], failureReason: 'r', sentiment: null, summary: 's', escalationId: `int_health_${n}`, createdAt: opened,
            acceptedAt: null, acceptedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, resolutionSummary: null,
          };
          await source().escalate(handoff, { ...interaction(`int_health_${n}`), customerId: c.id, outcome: 'ESCALATED', occurredAt: opened }, `kit-health-${n}`);
          return handoff.id;
        };
        for (const [n, acceptAfter, resolveAfter] of [[1, 60, 600], [2, 120, 1200], [3, 180, 1800], [4, 240, null], [5, 300, null]] as const) {
          const id = await open(n, 'PORTAL', 'VOICE');
          await source().acceptHandoff(id, { agentId: 'a1', at: at(acceptAfter) });
          if (resolveAfter) await source().resolveHandoff(id, { agentId: 'a1', outcome: 'RESOLVED', summary: 'done', at: at(resolveAfter) }, { ...interaction(`int_health_close_${n}`), customerId: c.id }, `kit-health-res-${n}`);
        }
        await open(6, 'CHAT', 'HUMAN_DESK');
        // Resolved without being accepted first: it has a resolution time and no acceptance time.
        const direct = await open(7, 'CHAT', 'HUMAN_DESK');
        await source().resolveHandoff(direct, { agentId: 'a2', outcome: 'ABANDONED', summary: 'gone', at: at(90) }, { ...interaction('int_health_close_7'), customerId: c.id }, 'kit-health-res-7');

        const report = await source().handoffTimes(new Date('2030-01-01T00:00:00Z'), new Date('2030-02-01T00:00:00Z'));
        expect(report).toEqual([
          { fromChannel: 'CHAT', toChannel: 'HUMAN_DESK', opened: 2, accepted: 0, resolved: 1, toAcceptance: null, toResolution: { p50: 90, p90: 90 } },
          // Interpolated between the ranks: p90 of 60..300 s is 276 s, of 600/1200/1800 s is 1680 s.
          { fromChannel: 'PORTAL', toChannel: 'VOICE', opened: 5, accepted: 5, resolved: 3, toAcceptance: { p50: 180, p90: 276 }, toResolution: { p50: 1200, p90: 1680 } },
        ]);
        await expect(source().handoffTimes(new Date('2030-02-01T00:00:00Z'), new Date('2030-03-01T00:00:00Z'))).resolves.toEqual([]);
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


    it('exports every record of a customer, null for one it keeps nothing about', async () => {
      const c = data.customers[5];
      const doc = await source().exportCustomer(c.id);
      expect(doc?.interactions).toHaveLength(data.interactions.filter((i) => i.customerId === c.id).length);
      await expect(source().exportCustomer('cus_nope')).resolves.toBeNull();
    });

    it('erases the free text of contacts and deletes sessions, announcing the erasure', async () => {
      const c = data.customers[6];
      const session = { id: 'vs_erase', tokenHash: 'hash-erase', customerId: c.id, channel: 'VOICE' as const, method: 'EMAIL' as const, agentId: null, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
      await source().createVerifiedSession(session);
      await source().drainChanges(async () => undefined);
      const changed = await source().eraseCustomer(c.id);
      expect(changed).toBe(data.interactions.filter((i) => i.customerId === c.id).length + 1);
      const [listed] = await source().listInteractionsByCustomer([c.id], 100);
      expect(listed.every((i) => i.summary === null && i.failureReason === null && i.stepsTried.length === 0)).toBe(true);
      await expect(source().getVerifiedSessions(['vs_erase'])).resolves.toEqual([null]);
      const announced: unknown[] = [];
      await source().drainChanges(async (changes) => void announced.push(...changes));
      expect(announced).toEqual([expect.objectContaining({ type: 'customer.erased', data: { customerId: c.id } })]);
    });
  });
}

describeCustomerRecords('postgres');
describeCustomerRecords('pglite');

describe.each(['postgres', 'pglite'] as const)('the move from the reference CRM on %s', (where) => {
  it('takes the CRM’s interactions, handoffs, attempts, sessions, audit, write keys and pending changes, and drops them there', async () => {
    const { db, drop } = await open(where);
    try {
      await migrateSchema(db, 'crm', crmMigrations);
      const at = new Date('2026-11-20T10:00:00Z');
      await db.withSchema('crm').insertInto('customers').values({
        id: 'cus_moved', firstName: 'A', lastName: 'B', email: 'a@example.org', phone: null, dateOfBirth: null, preferredLanguage: 'en', locale: 'en-GB',
        country: 'GB', loyaltyTier: 'NONE', marketingConsent: false, createdAt: at, updatedAt: at,
      }).execute();
      await db.withSchema('crm').insertInto('interactions').values({ id: 'int_moved', customerId: 'cus_moved', channel: 'CHAT', intent: 'RETURN', outcome: 'ESCALATED', summary: 'old', occurredAt: at }).execute();
      await db.withSchema('crm').insertInto('handoffs').values({
        id: 'ho_moved', customerId: 'cus_moved', status: 'OPEN', fromChannel: 'CHAT', toChannel: 'VOICE', intent: 'RETURN', failureReason: 'r', summary: 's', escalationId: 'int_moved', createdAt: at,
      }).execute();
      await db.withSchema('crm').insertInto('verificationAttempts').values({ customerId: 'cus_moved', channel: 'VOICE', method: 'EMAIL', status: 'WRONG_ANSWER', attemptedAt: at }).execute();
      await db.withSchema('crm').insertInto('auditLog').values({ at, actorKind: 'agent', actorId: 'ag_1', customerId: 'cus_moved', fields: ['email'] }).execute();
      await db.withSchema('crm').insertInto('idempotencyKeys').values({ key: 'k1', operation: 'recordInteraction', requestHash: 'h', resultId: 'int_moved' }).execute();
      await db.withSchema('crm').insertInto('outbox').values({ type: 'interaction.recorded', data: JSON.stringify({ customerId: 'cus_moved' }) }).execute();

      const records = await createCustomerRecords(db, { system: 'sql', links: { sharesGraphCustomerIds: true }, logger });
      await expect(records.getInteractions(['int_moved'])).resolves.toEqual([expect.objectContaining({ customerId: 'cus_moved', summary: 'old' })]);
      await expect(records.getHandoffs(['ho_moved'])).resolves.toEqual([expect.objectContaining({ status: 'OPEN', escalationId: 'int_moved' })]);
      await expect(records.listAudit({ customerId: 'cus_moved', first: 10 })).resolves.toEqual([expect.objectContaining({ actorId: 'ag_1', fields: ['email'] })]);
      const policy = { windowStart: new Date(at.getTime() - 1), maxFailures: 1 };
      await expect(records.recordVerificationAttempt({ customerId: 'cus_moved', channel: 'VOICE', method: 'EMAIL', correct: true, agentId: null, at: new Date() }, policy)).resolves.toMatchObject({ status: 'LOCKED' });
      // A key used before the move is still taken.
      const replay = await records.recordInteraction({ id: 'int_new', customerId: 'cus_moved', channel: 'CHAT', intent: 'RETURN', outcome: 'ESCALATED', orderId: null, lineItemIds: [], stepsTried: [], failureReason: null, sentiment: null, summary: 'x', agentId: null, occurredAt: at }, 'k1')
        .catch((err: { code?: string }) => err.code);
      expect(replay).toBe('CONFLICT');
      const delivered: string[] = [];
      await records.drainChanges(async (changes) => void delivered.push(...changes.map((c) => c.type)));
      expect(delivered).toEqual(['interaction.recorded']);
      const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'crm' order by 1`.execute(db);
      expect(rows.map((r) => r.name).filter((n) => !n.startsWith('kysely_'))).toEqual(['addresses', 'customers']);
    } finally {
      await drop();
    }
  });
});
