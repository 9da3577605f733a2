import { createOutboxTable } from '../../../shared/outbox';
import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../../shared/idempotency';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-21T10:00_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('customers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('first_name', 'text', (c) => c.notNull())
        .addColumn('last_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('date_of_birth', 'date')
        .addColumn('preferred_language', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('country', 'char(2)', (c) => c.notNull())
        .addColumn('loyalty_tier', 'text', (c) => c.notNull())
        .addColumn('marketing_consent', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      // Identification looks customers up by email (any case) and by E.164 phone.
      await db.schema.createIndex('customers_email').on('customers').expression(sql`lower(email)`).execute();
      await db.schema.createIndex('customers_phone').on('customers').column('phone').execute();

      await db.schema
        .createTable('addresses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('line1', 'text', (c) => c.notNull())
        .addColumn('line2', 'text')
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('region', 'text')
        .addColumn('postal_code', 'text', (c) => c.notNull())
        .addColumn('country', 'char(2)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('addresses_customer').on('addresses').column('customer_id').execute();

      await db.schema
        .createTable('interactions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('line_item_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('steps_tried', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('failure_reason', 'text')
        .addColumn('sentiment', 'text')
        .addColumn('summary', 'text')
        .addColumn('agent_id', 'text')
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('interactions_customer_recent').on('interactions').columns(['customer_id', 'occurred_at desc']).execute();
      await db.schema.createIndex('interactions_order').on('interactions').column('order_id').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['interactions', 'addresses', 'customers']) await db.schema.dropTable(table).execute();
    },
  },
  '2026-11-21T14:00_conversations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('verification_attempts')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('verification_attempts_recent').on('verification_attempts').columns(['customer_id', 'attempted_at']).execute();
      await db.schema
        .createTable('verified_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Only a hash: a leaked table unlocks nothing.
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('handoffs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('from_channel', 'text', (c) => c.notNull())
        .addColumn('to_channel', 'text', (c) => c.notNull())
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('line_item_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('steps_tried', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('failure_reason', 'text', (c) => c.notNull())
        .addColumn('sentiment', 'text')
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('escalation_id', 'text', (c) => c.notNull().references('interactions.id'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('accepted_at', 'timestamptz')
        .addColumn('accepted_by', 'text')
        .addColumn('resolved_at', 'timestamptz')
        .addColumn('resolved_by', 'text')
        .addColumn('resolution', 'text')
        .addColumn('resolution_summary', 'text')
        .execute();
      await db.schema.createIndex('handoffs_customer_recent').on('handoffs').columns(['customer_id', 'created_at desc']).execute();
      await db.schema.createIndex('interactions_recent').on('interactions').column('occurred_at').execute();
      await createIdempotencyTable(db);
    },
    async down(db: Kysely<any>) {
      for (const table of ['idempotency_keys', 'handoffs', 'verified_sessions', 'verification_attempts']) await db.schema.dropTable(table).execute();
      await db.schema.dropIndex('interactions_recent').execute();
    },
  },
  '2026-11-22T00:00_audit_and_erasure': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('fields', sql`text[]`, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_customer').on('audit_log').columns(['customer_id', 'at desc']).execute();
      await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'at desc']).execute();
      await db.schema.alterTable('customers').addColumn('erased_at', 'timestamptz').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('customers').dropColumn('erased_at').execute();
      await db.schema.dropTable('audit_log').execute();
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
  '2026-11-30T06:00_open_handoffs': {
    async up(db: Kysely<any>) {
      // Every channel lists a customer's unresolved handoffs, and an escalation looks for the one it joins.
      await db.schema.createIndex('handoffs_customer_open').on('handoffs').columns(['customer_id', 'created_at desc']).where(sql.ref('status'), '<>', 'RESOLVED').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('handoffs_customer_open').execute();
    },
  },
};
