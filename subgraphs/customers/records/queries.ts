import { sql, type Kysely } from 'kysely';
import { distinct } from '../../shared/batch';
import { AppError, ErrorCode } from '../../shared/errors';
import { idempotentWrite } from '../../shared/idempotency';
import { emitChange } from '../../shared/outbox';
import { topRowsPerKey } from '../../shared/sql';
import type { ContactCount, CustomerSource, Handoff, HandoffTimes, Interaction, VerifiedSession } from '../port';
import type { CustomerRecordTables, HandoffRow, InteractionRow, SessionRow } from './tables';

export type RecordsDb = Kysely<CustomerRecordTables>;

export function toInteraction(row: InteractionRow): Interaction {
  return row as Interaction;
}

export async function findInteractionsByIds(db: RecordsDb, ids: readonly string[]): Promise<Interaction[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('interactions').selectAll().where('id', 'in', distinct(ids)).execute()).map(toInteraction);
}

export async function findRecentInteractionsByCustomers(db: RecordsDb, customerIds: readonly string[], first: number) {
  return (await topRowsPerKey(db, 'interactions', 'customerId', 'occurred_at desc, id desc', customerIds, first)).map(toInteraction);
}

export async function findInteractionsByOrders(db: RecordsDb, orderIds: readonly string[]): Promise<Interaction[]> {
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

export async function findHandoffs(db: RecordsDb, ids: readonly string[]): Promise<Handoff[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('handoffs').selectAll().where('id', 'in', distinct(ids)).execute()).map(toHandoff);
}

export async function insertInteraction(db: RecordsDb, interaction: Interaction, key: string) {
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

export async function findOpenHandoffsByCustomers(db: RecordsDb, customerIds: readonly string[]): Promise<Handoff[]> {
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

export async function insertEscalation(db: RecordsDb, handoff: Handoff, escalation: Interaction, key: string) {
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
  db: RecordsDb,
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
  db: RecordsDb,
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

export async function countContactsBetween(db: RecordsDb, from: Date, to: Date): Promise<ContactCount[]> {
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

/** Handoffs opened in [from, to) by channel pair, with percentiles of their waits (PostgreSQL's percentile_cont, nulls left out). */
export async function handoffTimesBetween(db: RecordsDb, from: Date, to: Date): Promise<HandoffTimes[]> {
  const wait = (until: 'accepted_at' | 'resolved_at', fraction: number) =>
    sql<number | null>`percentile_cont(${sql.lit(fraction)}) within group (order by extract(epoch from ${sql.ref(until)} - created_at))`;
  const rows = await db
    .selectFrom('handoffs')
    .select(['fromChannel', 'toChannel'])
    .select((eb) => [
      eb.fn.countAll<string>().as('opened'),
      eb.fn.count<string>('acceptedAt').as('accepted'),
      eb.fn.count<string>('resolvedAt').as('resolved'),
      wait('accepted_at', 0.5).as('acceptP50'),
      wait('accepted_at', 0.9).as('acceptP90'),
      wait('resolved_at', 0.5).as('resolveP50'),
      wait('resolved_at', 0.9).as('resolveP90'),
    ])
    .where('createdAt', '>=', from)
    .where('createdAt', '<', to)
    .groupBy(['fromChannel', 'toChannel'])
    .orderBy('fromChannel')
    .orderBy('toChannel')
    .execute();
  const percentiles = (p50: unknown, p90: unknown) => (p50 === null || p90 === null ? null : { p50: Number(p50), p90: Number(p90) });
  return rows.map((r) => ({
    fromChannel: r.fromChannel,
    toChannel: r.toChannel,
    opened: Number(r.opened),
    accepted: Number(r.accepted),
    resolved: Number(r.resolved),
    toAcceptance: percentiles(r.acceptP50, r.acceptP90),
    toResolution: percentiles(r.resolveP50, r.resolveP90),
  })) as HandoffTimes[];
}
