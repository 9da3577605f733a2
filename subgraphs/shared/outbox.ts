import { sql, type Kysely } from 'kysely';

/**
 * The outbox: each write records the change it made, in its own transaction, as a change event
 * of the subgraph's vocabulary (the same a backend would post to /events). A relay hands pending
 * changes to the cache at least once, so no replica keeps serving what a write changed, even
 * when the process stopped between the commit and its invalidation.
 */
export interface OutboxTables {
  outbox: {
    id: string;
    type: string;
    data: Record<string, unknown>;
    createdAt: Date;
  };
}

export interface Change {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** When its write committed (the outbox's row), for the invalidation lag. */
  createdAt?: Date;
}

/** What a port offers when its backend keeps an outbox: every port may, none must. */
export interface ChangeFeed {
  /**
   * The changes its writes recorded, handed to `deliver` at least once: the cache hears of every
   * write even if the process stopped right after the commit. Answers how many were delivered.
   */
  drainChanges?(deliver: (changes: Change[]) => Promise<void>, limit?: number): Promise<number>;
}

/** For a system's migration. */
export async function createOutboxTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** Records a change, inside the transaction that makes it. */
export async function emitChange(tx: Kysely<any>, type: string, data: Record<string, unknown>): Promise<void> {
  await tx.insertInto('outbox').values({ type, data: JSON.stringify(data) }).execute();
}

/**
 * Claims up to `limit` pending changes (skipping those another replica holds), hands them to
 * `deliver`, and deletes them only once it succeeded: delivered at least once. Answers how many.
 */
export async function drainOutbox(db: Kysely<any>, deliver: (changes: Change[]) => Promise<void>, limit = 200): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const rows = await tx.selectFrom('outbox').select(['id', 'type', 'data', 'created_at as createdAt']).orderBy('id').limit(limit).forUpdate().skipLocked().execute();
    if (rows.length === 0) return 0;
    await deliver(rows.map((r) => ({ id: String(r.id), type: r.type, data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data, createdAt: new Date(r.createdAt) })));
    await tx.deleteFrom('outbox').where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.length;
  });
}
