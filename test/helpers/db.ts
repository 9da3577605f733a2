import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDatabase, type Database } from '../../subgraphs/shared/db';

/** The real PostgreSQL server the integration tests use; its database name must contain "test". */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';

function refuseNonTestDatabase(url: string): URL {
  const parsed = new URL(url);
  if (!parsed.pathname.slice(1).includes('test')) {
    throw new Error(`refusing to run tests against database "${parsed.pathname.slice(1)}": its name must contain "test"`);
  }
  return parsed;
}

export interface TestDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

/**
 * A new, empty database on the real server for one test file (named after the Jest worker, so
 * parallel files never share state), dropped again by `drop()`.
 */
export async function createTestDatabase(options: { onQuery?: (sql: string) => void } = {}): Promise<TestDatabase> {
  const admin = refuseNonTestDatabase(TEST_DATABASE_URL);
  const name = `test_w${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  const database = await createDatabase({ url: url.toString(), poolMax: 5, onQuery: options.onQuery });
  return {
    url: url.toString(),
    database,
    drop: async () => {
      await database.close();
      const dropper = new Client({ connectionString: admin.toString() });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
