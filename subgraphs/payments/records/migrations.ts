import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../shared/idempotency';
import { createIdentityTable } from '../../shared/identity';
import { createOutboxTable } from '../../shared/outbox';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-30T09:00_records': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('payment_promises')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull().check(sql`amount_minor > 0`))
        .addColumn('promised_for', 'date', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('note', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payment_promises_customer').on('payment_promises').columns(['customer_id', 'promised_for']).execute();
      await db.schema
        .createTable('expected_refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        // One per return: the return saga's repeats rely on it to stay idempotent.
        .addColumn('return_id', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull().check(sql`amount_minor > 0`))
        .addColumn('reason', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expected_by', 'timestamptz')
        .addColumn('completed_at', 'timestamptz')
        .addColumn('failure_reason', 'text')
        .execute();
      await db.schema.createIndex('expected_refunds_order').on('expected_refunds').column('order_id').execute();
      await db.schema.createIndex('expected_refunds_payment').on('expected_refunds').column('payment_id').execute();
      await db.schema.createIndex('expected_refunds_customer').on('expected_refunds').columns(['customer_id', 'created_at desc']).execute();
      await createIdempotencyTable(db);
      await createIdentityTable(db);
      await createOutboxTable(db);
      // Promises were the reference payment service's table before the graph kept its own records: they move with their keys.
      const { rows } = await sql<{ found: string | null }>`select to_regclass('payments.payment_promises')::text as found`.execute(db);
      if (rows[0]?.found) {
        await sql`insert into payments_records.payment_promises select * from payments.payment_promises`.execute(db);
        await sql`insert into payments_records.idempotency_keys select * from payments.idempotency_keys where operation = 'promiseToPay'`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      for (const table of ['outbox', 'customer_identities', 'idempotency_keys', 'expected_refunds', 'payment_promises']) await db.schema.dropTable(table).execute();
    },
  },
};
