import { deserialize } from 'node:v8';
import { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import { findCardNumbers, findCardNumbersInTokens } from '../../subgraphs/shared/pii';

/** Card numbers in text as free text holds them, and as ids and keys could (`ord_6011111111111117`, `5105105105105100-1`). */
export const cardNumbersIn = (text: string) => [...findCardNumbers(text), ...findCardNumbersInTokens(text)];

/** Fails the test at hand when `text` holds anything that looks like a card number. */
export function assertNoCardNumbers(text: string, where: string): void {
  const found = cardNumbersIn(text);
  if (found.length) throw new Error(`A card number (Luhn-valid, 13-19 digits) in ${where}: ${found[0].slice(0, 4)}…`);
}

/** Every column of every table in every schema of the database (each row read as text: all its columns cast), scanned. */
export async function assertNoCardNumbersInDatabase(db: Kysely<any>): Promise<void> {
  const tables = await sql<{ schema: string; table: string }>`
    select table_schema as schema, table_name as table from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(db);
  for (const { schema, table } of tables.rows) {
    const rows = await sql<{ row: string }>`select r::text as row from ${sql.table(`${schema}.${table}`)} r`.execute(db);
    for (const { row } of rows.rows) assertNoCardNumbers(row, `the table ${schema}.${table}`);
  }
}

/** Every key of the stack's Redis namespace, and every value under it (cache entries decoded), scanned. */
export async function assertNoCardNumbersInRedis(url: string, namespace: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${namespace}:*`, count: 500 }) as AsyncIterable<string[]>) {
      for (const key of keys) {
        assertNoCardNumbers(key, 'a Redis key');
        for (const value of await valuesOf(redis, key)) {
          assertNoCardNumbers(value.toString('latin1'), `the Redis value of ${key.slice(0, 60)}`);
          const decoded = decode(value);
          if (decoded !== undefined) assertNoCardNumbers(decoded, `the Redis value of ${key.slice(0, 60)}`);
        }
      }
    }
  } finally {
    redis.disconnect();
  }
}

async function valuesOf(redis: Redis, key: string): Promise<Buffer[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'set':
      return redis.smembersBuffer(key);
    case 'list':
      return redis.lrangeBuffer(key, 0, -1);
    case 'zset':
      return redis.zrangeBuffer(key, 0, -1);
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat().map((v) => Buffer.from(v, 'latin1'));
    default:
      return [];
  }
}

/**
 * A cache entry is v8-serialized (two-byte strings are not readable as bytes); anything else is left
 * to the byte scan. Its strings are what a card number could hide in; its numbers are times in epoch
 * milliseconds (13 digits, a tenth of them Luhn-valid), left out.
 */
function decode(value: Buffer): string | undefined {
  try {
    return JSON.stringify(deserialize(value), (_, v: unknown) => (typeof v === 'number' ? undefined : v));
  } catch {
    return undefined;
  }
}
