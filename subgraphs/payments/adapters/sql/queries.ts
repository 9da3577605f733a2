import { drainOutbox, emitChange } from '../../../shared/outbox';
import { sql, type Kysely } from 'kysely';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { money } from '../../../shared/money';
import { topRowsPerKey } from '../../../shared/sql';
import type { Balance, Dispute, Payment, PaymentSystem, Refund } from '../../port';
import type { DisputeRow, PaymentRow, PaymentTables, RefundRow } from './tables';

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

/** The reference payment service over SQL; it stores the graph's own customer ids. */
export function createSqlPaymentSystem(db: PaymentsDb): PaymentSystem {
  const payments = (column: 'id' | 'orderId', keys: readonly string[]) =>
    rowsWhereIn(db, 'payments', column, keys, { column: 'createdAt', direction: 'asc' }).then((rows) => rows.map(toPayment));
  const refunds = (column: 'id' | 'orderId' | 'paymentId' | 'returnId', keys: readonly string[]) =>
    rowsWhereIn(db, 'refunds', column, keys, { column: 'createdAt', direction: 'desc' }).then((rows) => rows.map(toRefund));
  const disputes = (column: 'id' | 'orderId' | 'customerId', keys: readonly string[]) =>
    rowsWhereIn(db, 'disputes', column, keys, { column: 'openedAt', direction: 'desc' }).then((rows) => rows.map(toDispute));
  return {
    sharesGraphCustomerIds: true,
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
    exportCustomer: async (customerId) => {
      const [payments, refunds, disputes] = await Promise.all(
        (['payments', 'refunds', 'disputes'] as const).map((table) => db.selectFrom(table).selectAll().where('customerId', '=', customerId).execute()),
      );
      return { payments, refunds, disputes };
    },
    // Payments, refunds and disputes are bookkeeping records: nothing here holds free text to erase.
    eraseCustomer: async () => 0,
    privacy: { export: { system: 'sql', action: 'EXPORTED', detail: 'Payments (card brand and last 4 only), refunds and disputes' }, erasure: { system: 'sql', action: 'KEPT_FOR_BOOKKEEPING', detail: 'Payments, refunds and disputes kept for bookkeeping; they hold no free text' } },
    drainChanges: (deliver, limit) => drainOutbox(db, deliver, limit),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
