import { chunks } from '../../../shared/batch';
import type { Dispute, Payment, Refund } from '../../port';
import { fromDispute, fromPayment, fromRefund, type PaymentsDb } from './queries';

export interface PaymentsSeed {
  payments: Payment[];
  refunds: Refund[];
  disputes: Dispute[];
}

/** Writes demo data straight into the payment tables (demo and tests only). */
export async function seedPayments(db: PaymentsDb, data: PaymentsSeed): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.payments.map(fromPayment), 2_000)) await tx.insertInto('payments').values(rows).execute();
    for (const rows of chunks(data.refunds.map(fromRefund), 2_000)) await tx.insertInto('refunds').values(rows).execute();
    for (const rows of chunks(data.disputes.map(fromDispute), 2_000)) await tx.insertInto('disputes').values(rows).execute();
  });
}

export async function truncatePayments(db: PaymentsDb): Promise<void> {
  await db.deleteFrom('disputes').execute();
  await db.deleteFrom('refunds').execute();
  await db.deleteFrom('payments').execute();
}
