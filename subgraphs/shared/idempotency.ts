import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Viewer } from './auth';
import { AppError, ErrorCode } from './errors';

/** The table each system keeps its write keys in; created by `idempotencyMigration`. */
export interface IdempotencyTables {
  idempotencyKeys: {
    key: string;
    operation: string;
    requestHash: string;
    resultId: string | null;
    createdAt: Date;
  };
}

/** For a system's migration: the table its idempotent writes remember their keys in. */
export async function createIdempotencyTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('result_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

/** A stable hash of a write's input: key order does not matter, values do. */
export function requestHash(input: unknown): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object' && !(value instanceof Date)
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
        : value;
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** A stored key: the caller's scope (kind and id, each bounded upstream) plus the key it sent. */
const MAX_STORED_KEY_LENGTH = 512;

function checkKey(key: string, max = MAX_STORED_KEY_LENGTH) {
  if (key.length === 0 || key.length > max) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, {
      argument: 'idempotencyKey',
    });
  }
}

/**
 * The key as the caller who sent it owns it, as payment APIs scope keys to an account: two callers
 * sending `ptp-1` make two writes, and a replay never answers one caller with another's result.
 * @example callerKey({ kind: 'customer', id: 'cus_000012' }, 'ptp-1') // 'customer:cus_000012:ptp-1'
 */
export function callerKey(viewer: Pick<Viewer, 'kind' | 'id'>, key: string): string {
  checkKey(key, MAX_IDEMPOTENCY_KEY_LENGTH);
  return `${viewer.kind}:${viewer.id}:${key}`;
}

const conflict = () =>
  new AppError(ErrorCode.CONFLICT, 'This idempotencyKey was already used for a different request', { argument: 'idempotencyKey' });

/**
 * What an earlier write under this key produced, for writes whose checks would judge a repeat
 * differently from the first attempt (a return's items are no longer returnable once returned):
 * the id, null when the key is new, CONFLICT when it was used for other input.
 */
export async function previousResult<DB extends IdempotencyTables>(
  db: Kysely<DB>,
  operation: string,
  key: string,
  input: unknown,
): Promise<string | null> {
  checkKey(key);
  const previous = await (db as unknown as Kysely<IdempotencyTables>)
    .selectFrom('idempotencyKeys')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  if (!previous) return null;
  if (previous.requestHash !== requestHash({ operation, input }) || previous.operation !== operation) throw conflict();
  return previous.resultId;
}

/**
 * Runs `write` exactly once per idempotency key, in one transaction with the key's record:
 * - the first call writes and remembers the id it produced;
 * - a repeat with the same input answers that id without writing again;
 * - a repeat with other input is refused (CONFLICT);
 * - a concurrent repeat waits on the first one's row lock (PostgreSQL's insert-on-conflict), then
 *   answers as a repeat: never two writes.
 */
export async function idempotentWrite<DB extends IdempotencyTables>(
  db: Kysely<DB>,
  operation: string,
  key: string,
  input: unknown,
  write: (tx: Transaction<DB>) => Promise<string>,
): Promise<{ id: string; replayed: boolean }> {
  checkKey(key);
  const hash = requestHash({ operation, input });
  const anyDb = db as unknown as Kysely<IdempotencyTables>;
  return anyDb.transaction().execute(async (tx) => {
    const claimed = await tx
      .insertInto('idempotencyKeys')
      .values({ key, operation, requestHash: hash, resultId: null, createdAt: new Date() })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const previous = await tx.selectFrom('idempotencyKeys').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
      if (previous.requestHash !== hash || previous.operation !== operation) throw conflict();
      return { id: previous.resultId!, replayed: true };
    }
    const id = await write(tx as unknown as Transaction<DB>);
    await tx.updateTable('idempotencyKeys').set({ resultId: id }).where('key', '=', key).execute();
    return { id, replayed: false };
  });
}

/** How long a claimed key with no result is taken for a write still in progress (longer: an attempt that died). */
const CLAIM_TIMEOUT_MS = 30_000;

/**
 * `idempotentWrite` for a write made in another system (a vendor's API) than the one holding the
 * keys, so no transaction can hold both: the key is claimed first (committed), the write made, then
 * the key completed with its id; a failed write frees the key.
 * - a repeat after the first answered gets its id without writing;
 * - a concurrent repeat waits for the first attempt's answer (polling, within `waitMs`);
 * - a key whose attempt died without an answer is taken over after CLAIM_TIMEOUT_MS; `write` must
 *   then find what that attempt made (the vendor keeps the request's key) rather than write again.
 */
export async function claimedWrite<DB extends IdempotencyTables>(
  db: Kysely<DB>,
  operation: string,
  key: string,
  input: unknown,
  write: () => Promise<string>,
  waitMs = 5_000,
): Promise<{ id: string; replayed: boolean }> {
  checkKey(key);
  const hash = requestHash({ operation, input });
  const keys = db as unknown as Kysely<IdempotencyTables>;
  const until = Date.now() + waitMs;
  for (;;) {
    const now = new Date();
    const claimed = await keys
      .insertInto('idempotencyKeys')
      .values({ key, operation, requestHash: hash, resultId: null, createdAt: now })
      .onConflict((oc) =>
        // Taking over a claim whose attempt died: its row is re-stamped, so only one taker wins.
        oc.column('key').doUpdateSet({ createdAt: now }).where('idempotencyKeys.resultId', 'is', null).where('idempotencyKeys.createdAt', '<', new Date(now.getTime() - CLAIM_TIMEOUT_MS)).where('idempotencyKeys.requestHash', '=', hash),
      )
      .returning('key')
      .executeTakeFirst();
    if (claimed) break;
    const previous = await keys.selectFrom('idempotencyKeys').selectAll().where('key', '=', key).executeTakeFirst();
    if (!previous) continue;
    if (previous.requestHash !== hash || previous.operation !== operation) throw conflict();
    if (previous.resultId) return { id: previous.resultId, replayed: true };
    if (Date.now() >= until) {
      throw new AppError(ErrorCode.CONFLICT, 'A request with this idempotencyKey is still in progress; repeat it in a moment', { argument: 'idempotencyKey', retryable: true });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let id: string;
  try {
    id = await write();
  } catch (err) {
    await keys.deleteFrom('idempotencyKeys').where('key', '=', key).where('resultId', 'is', null).execute();
    throw err;
  }
  await keys.updateTable('idempotencyKeys').set({ resultId: id }).where('key', '=', key).execute();
  return { id, replayed: false };
}
