import { createOutboxTable } from '../../../shared/outbox';
import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../../shared/idempotency';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-21T10:00_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('method_type', 'text', (c) => c.notNull())
        .addColumn('card_brand', 'text')
        // PCI: the last four digits and nothing more; the check makes a longer value impossible.
        .addColumn('card_last4', 'char(4)', (c) => c.check(sql`card_last4 ~ '^[0-9]{4}$'`))
        .addColumn('card_exp_month', 'smallint', (c) => c.check(sql`card_exp_month between 1 and 12`))
        .addColumn('card_exp_year', 'smallint')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull())
        .addColumn('captured_minor', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refunded_minor', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('due_at', 'timestamptz')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payments_order').on('payments').column('order_id').execute();
      await db.schema.createIndex('payments_customer_open').on('payments').columns(['customer_id', 'due_at']).where(sql.ref('status'), '=', 'AWAITING_PAYMENT').execute();

      await db.schema
        .createTable('refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('return_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull().check(sql`amount_minor > 0`))
        .addColumn('reason', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expected_by', 'timestamptz')
        .addColumn('completed_at', 'timestamptz')
        .addColumn('failure_reason', 'text')
        .execute();
      await db.schema.createIndex('refunds_order').on('refunds').column('order_id').execute();
      await db.schema.createIndex('refunds_payment').on('refunds').column('payment_id').execute();
      await db.schema.createIndex('refunds_return').on('refunds').column('return_id').execute();
      await db.schema.createIndex('refunds_customer_recent').on('refunds').columns(['customer_id', 'created_at desc']).execute();

      await db.schema
        .createTable('disputes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('payments.id'))
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('amount_minor', 'integer', (c) => c.notNull())
        .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
        .addColumn('respond_by', 'timestamptz')
        .execute();
      await db.schema.createIndex('disputes_order').on('disputes').column('order_id').execute();
      await db.schema.createIndex('disputes_customer').on('disputes').columns(['customer_id', 'opened_at desc']).execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['disputes', 'refunds', 'payments']) await db.schema.dropTable(table).execute();
    },
  },
  '2026-11-21T14:00_promises_and_return_refunds': {
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
      // One refund per return: the return saga's repeats rely on it to stay idempotent.
      await db.schema.createIndex('refunds_one_per_return').on('refunds').column('return_id').unique().execute();
      await createIdempotencyTable(db);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('idempotency_keys').execute();
      await db.schema.dropIndex('refunds_one_per_return').execute();
      await db.schema.dropTable('payment_promises').execute();
    },
  },
  '2026-11-22T01:00_outbox': {
    async up(db: Kysely<any>) {
      await createOutboxTable(db);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('outbox').execute();
    },
  },
};
