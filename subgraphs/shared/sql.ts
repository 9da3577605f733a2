import { sql, type Kysely, type Migration, type Selectable } from 'kysely';
import { z } from 'zod';
import { defineAdapter } from './adapter';
import { distinct } from './batch';
import { migrateSchema } from './db';
import type { AdapterDeps } from './subgraph';

/**
 * The newest `first` rows of `table` for each key, in one statement (a window over the keys):
 * how every "customer's recent X" list is read without one query per customer.
 * `order` is a constant SQL ordering in column names, e.g. 'placed_at desc, id desc'.
 */
export async function topRowsPerKey<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  table: TB,
  keyColumn: string,
  order: string,
  keys: readonly string[],
  first: number,
): Promise<Selectable<DB[TB]>[]> {
  if (keys.length === 0 || first <= 0) return [];
  const anyDb = db as unknown as Kysely<any>;
  const rows = await anyDb
    .selectFrom((eb) =>
      eb
        .selectFrom(table)
        .selectAll()
        .select(sql<number>`row_number() over (partition by ${sql.ref(keyColumn)} order by ${sql.raw(order)})`.as('topRank'))
        .where(keyColumn, 'in', distinct(keys))
        .as('ranked'),
    )
    .selectAll()
    .where('topRank', '<=', first)
    .orderBy(sql.raw(order))
    .execute();
  return rows.map(({ topRank: _rank, ...row }) => row) as Selectable<DB[TB]>[];
}

/**
 * A system's reference adapter over SQL: its tables live in one PostgreSQL schema (`oms`, `crm`,
 * ...), migrated when the adapter is created, so the four systems stay as separate as four databases.
 */
export function defineSqlAdapter<Port, Tables, Settings extends z.ZodRawShape = {}>(options: {
  schema: string;
  migrations: Record<string, Migration>;
  /** Settings beyond the schema, where the port has some (the OMS's order-number formats). */
  settings?: Settings;
  create(db: Kysely<Tables>, settings: z.output<z.ZodObject<Settings>>): Port;
}) {
  // zod cannot type a spread of a generic shape; this is what the object below parses to.
  const config = z.object({ ...options.settings, schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).default(options.schema) }) as unknown as z.ZodType<
    z.output<z.ZodObject<Settings>> & { schema: string }
  >;
  return defineAdapter({
    name: 'sql',
    config,
    async create(config, deps: AdapterDeps): Promise<Port> {
      await migrateSchema(deps.db, config.schema, options.migrations);
      return options.create(deps.db.withSchema(config.schema) as unknown as Kysely<Tables>, config);
    },
  });
}
