import { createOutboxTable } from '../../../shared/outbox';
import { sql, type Kysely, type Migration } from 'kysely';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-21T10:00_initial': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('shipments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('tracking_number', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('shipped_at', 'timestamptz')
        .addColumn('estimated_delivery_at', 'timestamptz')
        .addColumn('delivered_at', 'timestamptz')
        .addColumn('exception_kind', 'text')
        .addColumn('exception_reported_at', 'timestamptz')
        .addColumn('exception_message', 'text')
        .addColumn('line_item_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('shipments_tracking_unique', ['tracking_number'])
        .execute();
      await db.schema.createIndex('shipments_order').on('shipments').column('order_id').execute();

      await db.schema
        .createTable('tracking_events')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('shipment_id', 'text', (c) => c.notNull().references('shipments.id').onDelete('cascade'))
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('carrier_status_code', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('location', 'text')
        .execute();
      await db.schema.createIndex('tracking_events_shipment').on('tracking_events').columns(['shipment_id', 'occurred_at desc']).execute();

      await db.schema
        .createTable('return_labels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('return_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('tracking_number', 'text', (c) => c.notNull().unique())
        .addColumn('label_url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('return_labels_return').on('return_labels').column('return_id').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['return_labels', 'tracking_events', 'shipments']) await db.schema.dropTable(table).execute();
    },
  },
  '2026-11-21T14:00_one_label_per_return': {
    async up(db: Kysely<any>) {
      // A return's label is issued once; the saga's repeats rely on this to stay idempotent.
      await db.schema.dropIndex('return_labels_return').execute();
      await db.schema.createIndex('return_labels_return').on('return_labels').column('return_id').unique().execute();
      await db.schema.alterTable('return_labels').addColumn('voided_at', 'timestamptz').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('return_labels').dropColumn('voided_at').execute();
      await db.schema.dropIndex('return_labels_return').execute();
      await db.schema.createIndex('return_labels_return').on('return_labels').column('return_id').execute();
    },
  },
  '2026-11-22T00:00_consignee': {
    async up(db: Kysely<any>) {
      // Whose data a shipment or label is: customers and agents read only their own.
      await db.schema.alterTable('shipments').addColumn('customer_id', 'text').execute();
      await db.schema.alterTable('return_labels').addColumn('customer_id', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('return_labels').dropColumn('customer_id').execute();
      await db.schema.alterTable('shipments').dropColumn('customer_id').execute();
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
