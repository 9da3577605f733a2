import { rm, stat, writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { createDatabase, emptyClusterCopy, migrateSchema } from './db';

describe('the embedded database (PGlite)', () => {
  const tables = async (database: Awaited<ReturnType<typeof createDatabase>>) =>
    (await sql<{ name: string }>`select table_schema || '.' || table_name as name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')`.execute(database.db)).rows.map((r) => r.name);
  const migrations = { '2026-01-01_t': { up: async (db: any) => void (await db.schema.createTable('t').addColumn('id', 'text').execute()) } };

  it('starts each in-memory database from the kept copy of an empty cluster: new, empty and its own', async () => {
    const copy = await emptyClusterCopy();
    await rm(copy, { force: true });
    const first = await createDatabase();
    await migrateSchema(first.db, 'probe', migrations);
    await sql`insert into probe.t values ('kept apart')`.execute(first.db);
    expect((await stat(copy)).size).toBeGreaterThan(0);
    // The second starts from the copy, and sees nothing the first wrote.
    const second = await createDatabase();
    try {
      expect(await tables(second)).toEqual([]);
      await migrateSchema(second.db, 'probe', migrations);
      expect(Number((await sql<{ n: string }>`select count(*) as n from probe.t`.execute(second.db)).rows[0].n)).toBe(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('starts as before when the copy cannot be read', async () => {
    const copy = await emptyClusterCopy();
    await writeFile(copy, 'not a tar file');
    const database = await createDatabase();
    try {
      expect(await tables(database)).toEqual([]);
      await database.ping();
    } finally {
      await database.close();
    }
  });
});
