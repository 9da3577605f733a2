import { sql, type Kysely, type Migration } from 'kysely';
import { createOutboxTable } from '../../shared/outbox';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-30T10:00_records': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('shipment_orders')
        .addColumn('shipment_id', 'text', (c) => c.primaryKey())
        .addColumn('carrier', 'text', (c) => c.notNull())
        .addColumn('tracking_number', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('line_item_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
        .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('shipment_orders_parcel', ['carrier', 'tracking_number'])
        .execute();
      await db.schema.createIndex('shipment_orders_order').on('shipment_orders').column('order_id').execute();
      await db.schema
        .createTable('return_labels')
        // One label per return: the saga's repeats and a lost answer resume this row, never buy twice.
        .addColumn('return_id', 'text', (c) => c.primaryKey())
        .addColumn('label_id', 'text', (c) => c.notNull().unique())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('customer_id', 'text')
        .addColumn('drafted_at', 'timestamptz', (c) => c.notNull())
        .addColumn('bought_at', 'timestamptz')
        .addColumn('voided_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('return_labels_order').on('return_labels').column('order_id').execute();
      await createOutboxTable(db);
    },
    async down(db: Kysely<any>) {
      for (const table of ['outbox', 'return_labels', 'shipment_orders']) await db.schema.dropTable(table).execute();
    },
  },
};
