import { drainOutbox, emitChange } from '../../../shared/outbox';
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { topRowsPerKey } from '../../../shared/sql';
import { AppError, ErrorCode } from '../../../shared/errors';
import { idempotentWrite } from '../../../shared/idempotency';
import type { Address, ContactCount, Customer, CustomerSource, Handoff, Interaction, VerifiedSession } from '../../port';
import { eraseCustomerRows, exportCustomerRows, findAuditEntries, insertAuditEntries } from './privacy';
import type { AddressRow, CrmTables, CustomerRow, HandoffRow, InteractionRow, SessionRow } from './tables';

export type CrmDb = Kysely<CrmTables>;

export function toCustomer(row: CustomerRow, addresses: AddressRow[]): Customer {
  const { erasedAt: _erased, ...fields } = row;
  return {
    ...fields,
    loyaltyTier: row.loyaltyTier as Customer['loyaltyTier'],
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    addresses: addresses.map(({ customerId: _c, ...a }) => a as Address),
  };
}

export function toInteraction(row: InteractionRow): Interaction {
  return row as Interaction;
}

const customersWithAddresses = (db: CrmDb) =>
  db
    .selectFrom('customers')
    .selectAll('customers')
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('addresses').selectAll('addresses').whereRef('addresses.customerId', '=', 'customers.id').orderBy('addresses.id'),
      ).as('addresses'),
    );

export async function findCustomersByIds(db: CrmDb, ids: readonly string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await customersWithAddresses(db).where('customers.id', 'in', distinct(ids)).execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findCustomersByEmails(db: CrmDb, emails: readonly string[]): Promise<Customer[]> {
  if (emails.length === 0) return [];
  const rows = await customersWithAddresses(db)
    .where(sql<string>`lower(customers.email)`, 'in', distinct(emails.map((e) => e.toLowerCase())))
    .orderBy('customers.id')
    .execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findCustomersByPhones(db: CrmDb, phones: readonly string[]): Promise<Customer[]> {
  if (phones.length === 0) return [];
  const rows = await customersWithAddresses(db).where('customers.phone', 'in', distinct(phones)).orderBy('customers.id').execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findInteractionsByIds(db: CrmDb, ids: readonly string[]): Promise<Interaction[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('interactions').selectAll().where('id', 'in', distinct(ids)).execute()).map(toInteraction);
}

export async function findRecentInteractionsByCustomers(db: CrmDb, customerIds: readonly string[], first: number) {
  return (await topRowsPerKey(db, 'interactions', 'customerId', 'occurred_at desc, id desc', customerIds, first)).map(toInteraction);
}

export async function findInteractionsByOrders(db: CrmDb, orderIds: readonly string[]): Promise<Interaction[]> {
  if (orderIds.length === 0) return [];
  const rows = await db
    .selectFrom('interactions')
    .selectAll()
    .where('orderId', 'in', distinct(orderIds))
    .orderBy('occurredAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toInteraction);
}

export const toHandoff = (row: HandoffRow): Handoff => row as Handoff;
export const toSession = (row: SessionRow): VerifiedSession => row as VerifiedSession;

export async function findHandoffs(db: CrmDb, ids: readonly string[]): Promise<Handoff[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('handoffs').selectAll().where('id', 'in', distinct(ids)).execute()).map(toHandoff);
}

export async function insertInteraction(db: CrmDb, interaction: Interaction, key: string) {
  // The key covers what the caller asked for, not the id and time this attempt made up.
  const { id: _id, occurredAt: _at, ...asked } = interaction;
  const { id, replayed } = await idempotentWrite(db, 'recordInteraction', key, asked, async (tx) => {
    await tx.insertInto('interactions').values(interaction).execute();
    await emitChange(tx, 'interaction.recorded', { customerId: interaction.customerId, ...(interaction.orderId ? { orderId: interaction.orderId } : {}) });
    return interaction.id;
  });
  const [stored] = await findInteractionsByIds(db, [id]);
  return { interaction: stored, replayed };
}

export async function findOpenHandoffsByCustomers(db: CrmDb, customerIds: readonly string[]): Promise<Handoff[]> {
  if (customerIds.length === 0) return [];
  const rows = await db
    .selectFrom('handoffs')
    .selectAll()
    .where('customerId', 'in', distinct(customerIds))
    .where('status', '<>', 'RESOLVED')
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toHandoff);
}

/** How many steps a handoff keeps when escalations join it: the latest, as one escalation may send. */
const MAX_JOINED_STEPS = 30;

export async function insertEscalation(db: CrmDb, handoff: Handoff, escalation: Interaction, key: string) {
  const { id: _h, escalationId: _e, createdAt: _c, ...asked } = handoff;
  const { id, replayed } = await idempotentWrite(db, 'escalate', key, asked, async (tx) => {
    // One escalation of a customer at a time: two cannot both miss the handoff they should join.
    await sql`select pg_advisory_xact_lock(hashtext(${`handoff:${handoff.customerId}`}))`.execute(tx);
    await tx.insertInto('interactions').values(escalation).execute();
    const open = await tx
      .selectFrom('handoffs')
      .selectAll()
      .where('customerId', '=', handoff.customerId)
      .where('status', '<>', 'RESOLVED')
      .where('intent', '=', handoff.intent)
      .where(sql<boolean>`order_id is not distinct from ${handoff.orderId}`)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    const target = open
      ? await tx
          .updateTable('handoffs')
          .set({
            toChannel: handoff.toChannel,
            lineItemIds: [...new Set([...open.lineItemIds, ...handoff.lineItemIds])],
            stepsTried: [...open.stepsTried, ...handoff.stepsTried.filter((step) => !open.stepsTried.includes(step))].slice(-MAX_JOINED_STEPS),
            failureReason: handoff.failureReason,
            sentiment: handoff.sentiment ?? open.sentiment,
            summary: handoff.summary,
          })
          .where('id', '=', open.id)
          .returning('id')
          .executeTakeFirstOrThrow()
      : await tx.insertInto('handoffs').values(handoff).returning('id').executeTakeFirstOrThrow();
    await emitChange(tx, 'handoff.updated', { handoffId: target.id, customerId: handoff.customerId });
    await emitChange(tx, 'interaction.recorded', { customerId: escalation.customerId, ...(escalation.orderId ? { orderId: escalation.orderId } : {}) });
    return target.id;
  });
  const [stored] = await findHandoffs(db, [id]);
  return { handoff: stored, replayed };
}

export async function resolveHandoffRow(
  db: CrmDb,
  handoffId: string,
  resolution: { agentId: string; outcome: string; summary: string; at: Date },
  closing: Interaction,
  key: string,
): Promise<Handoff> {
  const { id } = await idempotentWrite(db, 'resolveHandoff', key, { handoffId, ...resolution, at: undefined }, async (tx) => {
    const updated = await tx
      .updateTable('handoffs')
      .set({ status: 'RESOLVED', resolvedAt: resolution.at, resolvedBy: resolution.agentId, resolution: resolution.outcome, resolutionSummary: resolution.summary })
      .where('id', '=', handoffId)
      .where('status', 'in', ['OPEN', 'ACCEPTED'])
      .returning('id')
      .executeTakeFirst();
    if (!updated) {
      const exists = await tx.selectFrom('handoffs').select('id').where('id', '=', handoffId).executeTakeFirst();
      throw exists
        ? new AppError(ErrorCode.CONFLICT, 'This handoff is already resolved', { argument: 'handoffId' })
        : new AppError(ErrorCode.NOT_FOUND, 'No handoff with this id', { argument: 'handoffId' });
    }
    await tx.insertInto('interactions').values(closing).execute();
    await emitChange(tx, 'handoff.updated', { handoffId, customerId: closing.customerId });
    await emitChange(tx, 'interaction.recorded', { customerId: closing.customerId, ...(closing.orderId ? { orderId: closing.orderId } : {}) });
    return handoffId;
  });
  return (await findHandoffs(db, [id]))[0];
}

export async function recordAttempt(
  db: CrmDb,
  attempt: Parameters<CustomerSource['recordVerificationAttempt']>[0],
  policy: { windowStart: Date; maxFailures: number },
) {
  return db.transaction().execute(async (tx) => {
    // One attempt per customer at a time: the count and the new row cannot interleave.
    await sql`select pg_advisory_xact_lock(hashtext(${`verify:${attempt.customerId}`}))`.execute(tx);
    const failures = await tx
      .selectFrom('verificationAttempts')
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('attemptedAt').as('oldest')])
      .where('customerId', '=', attempt.customerId)
      .where('status', '=', 'WRONG_ANSWER')
      .where('attemptedAt', '>=', policy.windowStart)
      .executeTakeFirstOrThrow();
    const before = Number(failures.count);
    const status = before >= policy.maxFailures ? 'LOCKED' : attempt.correct ? 'VERIFIED' : 'WRONG_ANSWER';
    await tx
      .insertInto('verificationAttempts')
      .values({ customerId: attempt.customerId, channel: attempt.channel, method: attempt.method, status, agentId: attempt.agentId, attemptedAt: attempt.at })
      .execute();
    const failuresInWindow = before + (status === 'WRONG_ANSWER' ? 1 : 0);
    const oldest = failures.oldest ? new Date(failures.oldest as Date) : status === 'WRONG_ANSWER' ? attempt.at : null;
    return { status, failuresInWindow, oldestFailureAt: oldest } as const;
  });
}

export async function countContactsBetween(db: CrmDb, from: Date, to: Date): Promise<ContactCount[]> {
  const rows = await db
    .selectFrom('interactions')
    .select(['channel', 'intent', 'outcome'])
    .select((eb) => eb.fn.countAll<string>().as('contacts'))
    .where('occurredAt', '>=', from)
    .where('occurredAt', '<', to)
    .groupBy(['channel', 'intent', 'outcome'])
    .orderBy('channel')
    .orderBy('intent')
    .orderBy('outcome')
    .execute();
  return rows.map((r) => ({ ...r, contacts: Number(r.contacts) }) as ContactCount);
}

/** The CRM as a CustomerSource over SQL. */
export function createSqlCustomerSource(db: CrmDb): CustomerSource {
  return {
    getCustomers: async (ids) => byKey(ids, await findCustomersByIds(db, ids), (c) => c.id),
    getInteractions: async (ids) => byKey(ids, await findInteractionsByIds(db, ids), (i) => i.id),
    listInteractionsByCustomer: async (ids, first) =>
      groupByKey(ids, await findRecentInteractionsByCustomers(db, ids, first), (i) => i.customerId),
    listInteractionsByOrder: async (ids) => groupByKey(ids, await findInteractionsByOrders(db, ids), (i) => i.orderId!),
    findCustomersByEmail: async (emails) =>
      groupByKey(emails.map((e) => e.toLowerCase()), await findCustomersByEmails(db, emails), (c) => c.email.toLowerCase()),
    findCustomersByPhone: async (phones) => groupByKey(phones, await findCustomersByPhones(db, phones), (c) => c.phone!),
    recordVerificationAttempt: (attempt, policy) => recordAttempt(db, attempt, policy),
    createVerifiedSession: async (session) => void (await db.insertInto('verifiedSessions').values(session).execute()),
    getVerifiedSessions: async (ids) =>
      byKey(
        ids,
        ids.length === 0 ? [] : (await db.selectFrom('verifiedSessions').selectAll().where('id', 'in', distinct(ids)).execute()).map(toSession),
        (s) => s.id,
      ),
    recordInteraction: (interaction, key) => insertInteraction(db, interaction, key),
    escalate: (handoff, escalation, key) => insertEscalation(db, handoff, escalation, key),
    getHandoffs: async (ids) => byKey(ids, await findHandoffs(db, ids), (h) => h.id),
    listHandoffsByCustomer: async (ids, first) =>
      groupByKey(ids, (await topRowsPerKey(db, 'handoffs', 'customerId', 'created_at desc, id desc', ids, first)).map(toHandoff), (h) => h.customerId),
    listOpenHandoffsByCustomer: async (ids) => groupByKey(ids, await findOpenHandoffsByCustomers(db, ids), (h) => h.customerId),
    acceptHandoff: async (id, acceptance) => {
      await db.transaction().execute(async (tx) => {
        const accepted = await tx
          .updateTable('handoffs')
          .set({ status: 'ACCEPTED', acceptedAt: acceptance.at, acceptedBy: acceptance.agentId })
          .where('id', '=', id)
          .where('status', '=', 'OPEN')
          .returning('customerId')
          .executeTakeFirst();
        if (accepted) await emitChange(tx, 'handoff.updated', { handoffId: id, customerId: accepted.customerId });
      });
      return (await findHandoffs(db, [id]))[0] ?? null;
    },
    resolveHandoff: (id, resolution, closing, key) => resolveHandoffRow(db, id, resolution, closing, key),
    countContacts: (from, to) => countContactsBetween(db, from, to),
    recordAudit: (entries) => insertAuditEntries(db, entries),
    listAudit: (filter) => findAuditEntries(db, filter),
    exportCustomer: (id) => exportCustomerRows(db, id),
    eraseCustomer: (id, at) => eraseCustomerRows(db, id, at),
    drainChanges: (deliver, limit) => drainOutbox(db, deliver, limit),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
