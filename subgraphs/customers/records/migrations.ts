import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../shared/idempotency';
import { createIdentityTable } from '../../shared/identity';
import { createOutboxTable } from '../../shared/outbox';

/** The tables the reference CRM (schema `crm`) kept before the graph kept its own records, in the order they can be dropped. */
const MOVED_FROM_CRM = ['handoffs', 'interactions', 'verification_attempts', 'verified_sessions', 'audit_log', 'idempotency_keys', 'outbox'];

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-30T10:00_records': {
    async up(db: Kysely<any>) {
      // No reference to a customers table: the profile lives in whatever CRM the brand runs.
      await db.schema
        .createTable('interactions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
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
      await db.schema.createIndex('interactions_recent').on('interactions').column('occurred_at').execute();
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
        .addColumn('customer_id', 'text', (c) => c.notNull())
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
      // Every channel lists a customer's unresolved handoffs, and an escalation looks for the one it joins.
      await db.schema.createIndex('handoffs_customer_open').on('handoffs').columns(['customer_id', 'created_at desc']).where(sql.ref('status'), '<>', 'RESOLVED').execute();
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
      await createIdempotencyTable(db);
      await createIdentityTable(db);
      await createOutboxTable(db);

      // These were the reference CRM's tables: they move here, keys and pending changes with them.
      const { rows } = await sql<{ found: string | null }>`select to_regclass('crm.interactions')::text as found`.execute(db);
      if (!rows[0]?.found) return;
      const columns = 'id, customer_id, channel, intent, outcome, order_id, line_item_ids, steps_tried, failure_reason, sentiment, summary, agent_id, occurred_at';
      await sql`insert into customers_records.interactions (${sql.raw(columns)}) select ${sql.raw(columns)} from crm.interactions`.execute(db);
      await sql`insert into customers_records.handoffs select id, customer_id, status, from_channel, to_channel, intent, order_id, line_item_ids, steps_tried, failure_reason, sentiment, summary, escalation_id, created_at, accepted_at, accepted_by, resolved_at, resolved_by, resolution, resolution_summary from crm.handoffs`.execute(db);
      await sql`insert into customers_records.verification_attempts (customer_id, channel, method, status, agent_id, attempted_at) select customer_id, channel, method, status, agent_id, attempted_at from crm.verification_attempts order by id`.execute(db);
      await sql`insert into customers_records.verified_sessions select id, token_hash, customer_id, channel, method, agent_id, created_at, expires_at from crm.verified_sessions`.execute(db);
      await sql`insert into customers_records.audit_log (at, actor_kind, actor_id, channel, customer_id, fields) select at, actor_kind, actor_id, channel, customer_id, fields from crm.audit_log order by id`.execute(db);
      await sql`insert into customers_records.idempotency_keys select * from crm.idempotency_keys`.execute(db);
      await sql`insert into customers_records.outbox (type, data, created_at) select type, data, created_at from crm.outbox order by id`.execute(db);
      // Dropped, not left behind: a copy erasure no longer reaches would keep what a customer asked to be forgotten.
      for (const table of MOVED_FROM_CRM) await sql`drop table ${sql.table(`crm.${table}`)}`.execute(db);
    },
    async down(db: Kysely<any>) {
      for (const table of ['outbox', 'customer_identities', 'idempotency_keys', 'audit_log', 'handoffs', 'verified_sessions', 'verification_attempts', 'interactions']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
};
