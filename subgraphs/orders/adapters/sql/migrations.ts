import { createOutboxTable } from '../../../shared/outbox';
import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../../shared/idempotency';
import { DEFAULT_RETURN_POLICY } from '../../returns/default-policy';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-21T10:00_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull().unique())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('placed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('currency', 'char(3)', (c) => c.notNull())
        .addColumn('subtotal_minor', 'integer', (c) => c.notNull())
        .addColumn('shipping_minor', 'integer', (c) => c.notNull())
        .addColumn('tax_minor', 'integer', (c) => c.notNull())
        .addColumn('discount_minor', 'integer', (c) => c.notNull())
        .addColumn('total_minor', 'integer', (c) => c.notNull())
        .addColumn('ship_name', 'text', (c) => c.notNull())
        .addColumn('ship_line1', 'text', (c) => c.notNull())
        .addColumn('ship_line2', 'text')
        .addColumn('ship_city', 'text', (c) => c.notNull())
        .addColumn('ship_region', 'text')
        .addColumn('ship_postal_code', 'text', (c) => c.notNull())
        .addColumn('ship_country', 'char(2)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('orders_customer_recent').on('orders').columns(['customer_id', 'placed_at desc']).execute();

      await db.schema
        .createTable('line_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('unit_price_minor', 'integer', (c) => c.notNull())
        .addColumn('final_sale', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema.createIndex('line_items_order').on('line_items').columns(['order_id', 'position']).execute();

      await db.schema
        .createTable('returns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rma', 'text', (c) => c.notNull().unique())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('returns_order').on('returns').column('order_id').execute();
      await db.schema.createIndex('returns_customer_recent').on('returns').columns(['customer_id', 'created_at desc']).execute();

      await db.schema
        .createTable('return_items')
        .addColumn('return_id', 'text', (c) => c.notNull().references('returns.id').onDelete('cascade'))
        .addColumn('line_item_id', 'text', (c) => c.notNull().references('line_items.id'))
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('return_items_pk', ['return_id', 'line_item_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['return_items', 'returns', 'line_items', 'orders']) await db.schema.dropTable(table).execute();
    },
  },
  '2026-11-21T14:00_returns': {
    async up(db: Kysely<any>) {
      // The OMS records delivery (fulfilment events): return windows start there.
      await db.schema.alterTable('orders').addColumn('delivered_at', 'timestamptz').execute();
      await db.schema
        .createTable('return_policy_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('WINDOW', 'NOT_RETURNABLE', 'LEGAL_MINIMUM', 'EXTENSION')`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text')
        .addColumn('country', 'char(2)')
        .addColumn('days', 'integer', (c) => c.check(sql`days >= 0`))
        .addColumn('extended_until', 'timestamptz')
        .addColumn('orders_placed_from', 'timestamptz')
        .addColumn('orders_placed_until', 'timestamptz')
        .execute();
      await db.insertInto('return_policy_rules').values(DEFAULT_RETURN_POLICY).execute();
      await createIdempotencyTable(db);
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('idempotency_keys').execute();
      await db.schema.dropTable('return_policy_rules').execute();
      await db.schema.alterTable('orders').dropColumn('delivered_at').execute();
    },
  },
  '2026-11-22T00:00_erasure': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('orders').addColumn('erased_at', 'timestamptz').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('orders').dropColumn('erased_at').execute();
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
  '2026-11-30T09:00_return_request_keys': {
    async up(db: Kysely<any>) {
      // The graph keeps idempotency keys in its own records now; the OMS keeps which request made a return.
      await db.schema.alterTable('returns').addColumn('request_key', 'text').execute();
      await db.schema.createIndex('returns_request_key').on('returns').columns(['order_id', 'request_key']).unique().where(sql.ref('request_key'), 'is not', null).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('returns').dropColumn('request_key').execute();
    },
  },
};
