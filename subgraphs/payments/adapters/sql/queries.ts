import { drainOutbox, emitChange } from '../../../shared/outbox';
import { sql, type Kysely } from 'kysely';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { money } from '../../../shared/money';
import { topRowsPerKey } from '../../../shared/sql';
import { idempotentWrite } from '../../../shared/idempotency';
import type { Balance, Dispute, Payment, PaymentPromise, PaymentSource, Refund } from '../../port';
import type { DisputeRow, PaymentRow, PaymentTables, PromiseRow, RefundRow } from './tables';

export type PaymentsDb = Kysely<PaymentTables>;

export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.orderId,
    customerId: row.customerId,
    method: {
      type: row.methodType as Payment['method']['type'],
      brand: row.cardBrand,
      last4: row.cardLast4,
      expiryMonth: row.cardExpMonth,
      expiryYear: row.cardExpYear,
    },
    status: row.status as Payment['status'],
    amount: money(row.amountMinor, row.currency),
    captured: money(row.capturedMinor, row.currency),
    refunded: money(row.refundedMinor, row.currency),
    dueAt: row.dueAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function fromPayment(p: Payment): PaymentRow {
  return {
    id: p.id,
    orderId: p.orderId,
    customerId: p.customerId,
    methodType: p.method.type,
    cardBrand: p.method.brand,
    cardLast4: p.method.last4,
    cardExpMonth: p.method.expiryMonth,
    cardExpYear: p.method.expiryYear,
    status: p.status,
    currency: p.amount.currency,
    amountMinor: p.amount.amountMinor,
    capturedMinor: p.captured.amountMinor,
    refundedMinor: p.refunded.amountMinor,
    dueAt: p.dueAt,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function toRefund({ currency, amountMinor, ...row }: RefundRow): Refund {
  return { ...row, status: row.status as Refund['status'], amount: money(amountMinor, currency) };
}

export function fromRefund({ amount, ...refund }: Refund): RefundRow {
  return { ...refund, currency: amount.currency, amountMinor: amount.amountMinor };
}

export function toDispute({ currency, amountMinor, ...row }: DisputeRow): Dispute {
  return {
    ...row,
    status: row.status as Dispute['status'],
    reason: row.reason as Dispute['reason'],
    amount: money(amountMinor, currency),
  };
}

export function fromDispute({ amount, ...dispute }: Dispute): DisputeRow {
  return { ...dispute, currency: amount.currency, amountMinor: amount.amountMinor };
}

type KeyColumn<T> = keyof T & string;

async function rowsWhereIn<TB extends keyof PaymentTables & string>(
  db: PaymentsDb,
  table: TB,
  column: KeyColumn<PaymentTables[TB]>,
  keys: readonly string[],
  order: { column: KeyColumn<PaymentTables[TB]>; direction: 'asc' | 'desc' },
): Promise<PaymentTables[TB][]> {
  if (keys.length === 0) return [];
  const anyDb = db as unknown as Kysely<any>;
  return anyDb
    .selectFrom(table)
    .selectAll()
    .where(column, 'in', distinct(keys) as never)
    .orderBy(order.column, order.direction)
    .orderBy('id', order.direction)
    .execute() as Promise<PaymentTables[TB][]>;
}

export async function findOpenBalances(db: PaymentsDb, customerIds: readonly string[], now: Date): Promise<Balance[]> {
  if (customerIds.length === 0) return [];
  const rows = await db
    .selectFrom('payments')
    .select(['customerId', 'currency'])
    .select(sql<string>`sum(amount_minor - captured_minor)`.as('outstanding'))
    .select(sql<string>`coalesce(sum(amount_minor - captured_minor) filter (where due_at < ${now}), 0)`.as('overdue'))
    .select(sql<Date | null>`min(due_at)`.as('nextDueAt'))
    .select(sql<string[]>`array_agg(id order by due_at, id)`.as('paymentIds'))
    .where('customerId', 'in', distinct(customerIds))
    .where('status', '=', 'AWAITING_PAYMENT')
    .groupBy(['customerId', 'currency'])
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({
    customerId: r.customerId,
    currency: r.currency,
    outstanding: money(Number(r.outstanding), r.currency),
    overdue: money(Number(r.overdue), r.currency),
    nextDueAt: r.nextDueAt ? new Date(r.nextDueAt) : null,
    paymentIds: r.paymentIds,
  }));
}

export const toPromise = ({ currency, amountMinor, ...row }: PromiseRow): PaymentPromise => ({
  ...row,
  status: row.status as PaymentPromise['status'],
  amount: money(amountMinor, currency),
});

export async function insertPromise(db: PaymentsDb, promise: PaymentPromise, idempotencyKey: string): Promise<PaymentPromise> {
  const { amount, ...rest } = promise;
  // The key covers what the caller asked for, not the id and time this attempt made up.
  const { id: _id, createdAt: _at, ...asked } = promise;
  const { id } = await idempotentWrite(db, 'promiseToPay', idempotencyKey, asked, async (tx) => {
    await tx.insertInto('paymentPromises').values({ ...rest, currency: amount.currency, amountMinor: amount.amountMinor }).execute();
    await emitChange(tx, 'balance.updated', { customerId: promise.customerId });
    return promise.id;
  });
  const row = await db.selectFrom('paymentPromises').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toPromise(row);
}

export async function insertExpectedRefund(db: PaymentsDb, refund: Refund): Promise<Refund> {
  await db.transaction().execute(async (tx) => {
    const inserted = await tx.insertInto('refunds').values(fromRefund(refund)).onConflict((oc) => oc.column('returnId').doNothing()).returning('id').executeTakeFirst();
    if (inserted) await emitChange(tx, 'refund.updated', { refundId: refund.id, orderId: refund.orderId, customerId: refund.customerId, ...(refund.returnId ? { returnId: refund.returnId } : {}) });
  });
  const row = await db.selectFrom('refunds').selectAll().where('returnId', '=', refund.returnId!).executeTakeFirstOrThrow();
  return toRefund(row);
}

/** The payment service as a PaymentSource over SQL. */
export function createSqlPaymentSource(db: PaymentsDb): PaymentSource {
  const payments = (column: 'id' | 'orderId', keys: readonly string[]) =>
    rowsWhereIn(db, 'payments', column, keys, { column: 'createdAt', direction: 'asc' }).then((rows) => rows.map(toPayment));
  const refunds = (column: 'id' | 'orderId' | 'paymentId' | 'returnId', keys: readonly string[]) =>
    rowsWhereIn(db, 'refunds', column, keys, { column: 'createdAt', direction: 'desc' }).then((rows) => rows.map(toRefund));
  const disputes = (column: 'id' | 'orderId' | 'customerId', keys: readonly string[]) =>
    rowsWhereIn(db, 'disputes', column, keys, { column: 'openedAt', direction: 'desc' }).then((rows) => rows.map(toDispute));
  return {
    getPayments: async (ids) => byKey(ids, await payments('id', ids), (p) => p.id),
    listPaymentsByOrder: async (ids) => groupByKey(ids, await payments('orderId', ids), (p) => p.orderId),
    getRefunds: async (ids) => byKey(ids, await refunds('id', ids), (r) => r.id),
    listRefundsByOrder: async (ids) => groupByKey(ids, await refunds('orderId', ids), (r) => r.orderId),
    listRefundsByPayment: async (ids) => groupByKey(ids, await refunds('paymentId', ids), (r) => r.paymentId),
    listRefundsByReturn: async (ids) => groupByKey(ids, await refunds('returnId', ids), (r) => r.returnId!),
    listRefundsByCustomer: async (ids, first) =>
      groupByKey(
        ids,
        (await topRowsPerKey(db, 'refunds', 'customerId', 'created_at desc, id desc', ids, first)).map(toRefund),
        (r) => r.customerId,
      ),
    getDisputes: async (ids) => byKey(ids, await disputes('id', ids), (d) => d.id),
    listDisputesByOrder: async (ids) => groupByKey(ids, await disputes('orderId', ids), (d) => d.orderId),
    listDisputesByCustomer: async (ids) => groupByKey(ids, await disputes('customerId', ids), (d) => d.customerId),
    listOpenBalancesByCustomer: async (ids, now) => groupByKey(ids, await findOpenBalances(db, ids, now), (b) => b.customerId),
    listOpenPromisesByCustomer: async (ids) =>
      groupByKey(
        ids,
        ids.length === 0
          ? []
          : (
              await db.selectFrom('paymentPromises').selectAll().where('customerId', 'in', distinct(ids)).where('status', '=', 'OPEN')
                .orderBy('promisedFor').orderBy('id').execute()
            ).map(toPromise),
        (p) => p.customerId,
      ),
    createPromise: (promise, key) => insertPromise(db, promise, key),
    createExpectedRefund: (refund) => insertExpectedRefund(db, refund),
    cancelPendingRefund: (returnId) =>
      db.transaction().execute(async (tx) => {
        const cancelled = await tx
          .updateTable('refunds')
          .set({ status: 'CANCELLED' })
          .where('returnId', '=', returnId)
          .where('status', '=', 'PENDING')
          .returning(['id', 'orderId', 'customerId'])
          .execute();
        for (const r of cancelled) await emitChange(tx, 'refund.updated', { refundId: r.id, orderId: r.orderId, customerId: r.customerId, returnId });
        return cancelled.length > 0;
      }),
    exportCustomer: async (customerId) => {
      const [payments, refunds, disputes, promises] = await Promise.all(
        (['payments', 'refunds', 'disputes', 'paymentPromises'] as const).map((table) =>
          db.selectFrom(table).selectAll().where('customerId', '=', customerId).execute(),
        ),
      );
      return { payments, refunds, disputes, promises };
    },
    eraseCustomer: (customerId) =>
      db.transaction().execute(async (tx) => {
        const erased = await tx.updateTable('paymentPromises').set({ note: null }).where('customerId', '=', customerId).executeTakeFirst();
        await emitChange(tx, 'balance.updated', { customerId });
        return Number(erased.numUpdatedRows);
      }),
    drainChanges: (deliver, limit) => drainOutbox(db, deliver, limit),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
