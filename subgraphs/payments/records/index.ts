import type { Kysely } from 'kysely';
import { byKey, distinct, groupByKey } from '../../shared/batch';
import { migrateSchema } from '../../shared/db';
import { idempotentWrite } from '../../shared/idempotency';
import { createIdentityMap, sameIds, type CustomerLinks, type IdentityMap, type IdentityTables } from '../../shared/identity';
import type { Logger } from '../../shared/logger';
import { money } from '../../shared/money';
import { drainOutbox, emitChange, type ChangeFeed } from '../../shared/outbox';
import type { PaymentPromise, Refund } from '../port';
import { migrations } from './migrations';
import type { PaymentRecordTables } from './tables';

/** The schema the payments subgraph's own records live in, whatever the payment service. */
export const PAYMENT_RECORDS_SCHEMA = 'payments_records';

type Db = Kysely<PaymentRecordTables>;
type ExpectedRow = PaymentRecordTables['expectedRefunds'];
type PromiseRow = PaymentRecordTables['paymentPromises'];

const toRefund = ({ currency, amountMinor, ...row }: ExpectedRow): Refund => ({ ...row, status: row.status as Refund['status'], amount: money(amountMinor, currency) });
const toPromise = ({ currency, amountMinor, ...row }: PromiseRow): PaymentPromise => ({ ...row, status: row.status as PaymentPromise['status'], amount: money(amountMinor, currency) });
const refundChange = (r: { id: string; orderId: string; customerId: string; returnId: string }) =>
  ({ refundId: r.id, orderId: r.orderId, customerId: r.customerId, returnId: r.returnId });

/** What the payments subgraph keeps itself, beside any payment service, in graph customer ids. */
export interface PaymentRecords extends Required<ChangeFeed> {
  identities: IdentityMap;
  getExpectedRefunds(ids: readonly string[]): Promise<(Refund | null)[]>;
  listExpectedRefunds(by: 'orderId' | 'paymentId' | 'returnId' | 'customerId', keys: readonly string[]): Promise<Refund[][]>;
  /** Stores a return's expected refund unless it has one; answers the return's either way. */
  expectRefund(refund: Refund): Promise<Refund>;
  cancelExpectedRefund(returnId: string): Promise<boolean>;
  listOpenPromises(customerIds: readonly string[]): Promise<PaymentPromise[][]>;
  createPromise(promise: PaymentPromise, idempotencyKey: string): Promise<PaymentPromise>;
  exportCustomer(customerId: string): Promise<{ promises: PaymentPromise[]; expectedRefunds: Refund[] }>;
  /** Drops the free text of the customer's promises (GDPR erasure); the records changed. */
  eraseCustomer(customerId: string): Promise<number>;
}

export async function createPaymentRecords(db: Kysely<any>, options: { system: string; links: CustomerLinks; logger: Logger; emailsOf?: (graphIds: readonly string[]) => Promise<(string | null)[]> }): Promise<PaymentRecords> {
  await migrateSchema(db, PAYMENT_RECORDS_SCHEMA, migrations);
  const records = db.withSchema(PAYMENT_RECORDS_SCHEMA) as unknown as Db;
  const expected = (column: 'id' | 'orderId' | 'paymentId' | 'returnId' | 'customerId', keys: readonly string[]) =>
    keys.length === 0
      ? Promise.resolve([])
      : records.selectFrom('expectedRefunds').selectAll().where(column, 'in', distinct(keys)).orderBy('createdAt', 'desc').orderBy('id', 'desc').execute().then((rows) => rows.map(toRefund));
  return {
    identities: options.links.sharesGraphCustomerIds
      ? sameIds(options.system)
      : createIdentityMap(records as unknown as Kysely<IdentityTables>, options.system, options.links, options.logger, { emailsOf: options.emailsOf }),
    getExpectedRefunds: async (ids) => byKey(ids, await expected('id', ids), (r) => r.id),
    listExpectedRefunds: async (by, keys) => groupByKey(keys, await expected(by, keys), (r) => r[by] as string),
    expectRefund: async (refund) => {
      const { amount, returnId, ...rest } = refund;
      if (!returnId) throw new Error('an expected refund belongs to a return');
      await records.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('expectedRefunds')
          .values({ ...rest, returnId, currency: amount.currency, amountMinor: amount.amountMinor })
          .onConflict((oc) => oc.column('returnId').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (inserted) await emitChange(tx, 'refund.updated', refundChange({ ...refund, returnId }));
      });
      return toRefund(await records.selectFrom('expectedRefunds').selectAll().where('returnId', '=', returnId).executeTakeFirstOrThrow());
    },
    cancelExpectedRefund: (returnId) =>
      records.transaction().execute(async (tx) => {
        const cancelled = await tx
          .updateTable('expectedRefunds')
          .set({ status: 'CANCELLED' })
          .where('returnId', '=', returnId)
          .where('status', '=', 'PENDING')
          .returning(['id', 'orderId', 'customerId', 'returnId'])
          .execute();
        for (const r of cancelled) await emitChange(tx, 'refund.updated', refundChange(r));
        return cancelled.length > 0;
      }),
    listOpenPromises: async (customerIds) =>
      groupByKey(
        customerIds,
        customerIds.length === 0
          ? []
          : (await records.selectFrom('paymentPromises').selectAll().where('customerId', 'in', distinct(customerIds)).where('status', '=', 'OPEN').orderBy('promisedFor').orderBy('id').execute()).map(toPromise),
        (p) => p.customerId,
      ),
    createPromise: async (promise, idempotencyKey) => {
      const { amount, ...rest } = promise;
      // The key covers what the caller asked for, not the id and time this attempt made up.
      const { id: _id, createdAt: _at, ...asked } = promise;
      const { id } = await idempotentWrite(records, 'promiseToPay', idempotencyKey, asked, async (tx) => {
        await tx.insertInto('paymentPromises').values({ ...rest, currency: amount.currency, amountMinor: amount.amountMinor }).execute();
        await emitChange(tx, 'balance.updated', { customerId: promise.customerId });
        return promise.id;
      });
      return toPromise(await records.selectFrom('paymentPromises').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
    },
    exportCustomer: async (customerId) => ({
      promises: (await records.selectFrom('paymentPromises').selectAll().where('customerId', '=', customerId).execute()).map(toPromise),
      expectedRefunds: await expected('customerId', [customerId]),
    }),
    eraseCustomer: (customerId) =>
      records.transaction().execute(async (tx) => {
        const erased = await tx.updateTable('paymentPromises').set({ note: null }).where('customerId', '=', customerId).executeTakeFirst();
        await emitChange(tx, 'balance.updated', { customerId });
        return Number(erased.numUpdatedRows);
      }),
    drainChanges: (deliver, limit) => drainOutbox(records, deliver, limit),
  };
}
