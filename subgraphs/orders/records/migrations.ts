import { sql, type Kysely, type Migration } from 'kysely';
import { createIdempotencyTable } from '../../shared/idempotency';
import { createIdentityTable } from '../../shared/identity';
import { DEFAULT_RETURN_POLICY } from '../returns/default-policy';

/** Timestamped, append-only: a released migration is never edited, a new one is added. */
export const migrations: Record<string, Migration> = {
  '2026-11-30T09:00_records': {
    async up(db: Kysely<any>) {
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
      // The policy was the reference OMS's table before the graph kept its own records: a brand's edits move with it.
      await createIdempotencyTable(db);
      await createIdentityTable(db);
      const { rows } = await sql<{ found: string | null }>`select to_regclass('oms.return_policy_rules')::text as found`.execute(db);
      if (rows[0]?.found) {
        await sql`insert into orders_records.return_policy_rules select id, kind, name, category, country, days, extended_until, orders_placed_from, orders_placed_until from oms.return_policy_rules`.execute(db);
        // Returns made before keep answering their repeats.
        await sql`insert into orders_records.idempotency_keys select * from oms.idempotency_keys where operation = 'initiateReturn'`.execute(db);
      } else {
        await db.insertInto('return_policy_rules').values(DEFAULT_RETURN_POLICY).execute();
      }
    },
    async down(db: Kysely<any>) {
      for (const table of ['customer_identities', 'idempotency_keys', 'return_policy_rules']) await db.schema.dropTable(table).execute();
    },
  },
};
