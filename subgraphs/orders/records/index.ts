import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { migrateSchema } from '../../shared/db';
import { claimedWrite, previousResult } from '../../shared/idempotency';
import { createIdentityMap, sameIds, type CustomerLinks, type IdentityMap, type IdentityTables } from '../../shared/identity';
import type { Logger } from '../../shared/logger';
import type { NewReturn, ReturnPolicyRule } from '../port';
import { migrations } from './migrations';
import type { OrderRecordTables } from './tables';

/** The schema the orders subgraph's own records live in, whatever the OMS. */
export const ORDER_RECORDS_SCHEMA = 'orders_records';

/** What the orders subgraph keeps itself, beside any OMS: the return policy, write keys, customer links. */
export interface OrderRecords {
  identities: IdentityMap;
  listReturnPolicyRules(): Promise<ReturnPolicyRule[]>;
  /** The id of the return an earlier request with this key created; null for a new key; CONFLICT for other input. */
  previousReturnId(idempotencyKey: string, input: NewReturn): Promise<string | null>;
  /** Runs `create` once per key, the key held (a concurrent repeat waits) until it answers the return's id. */
  onceForKey(idempotencyKey: string, input: NewReturn, create: () => Promise<string>): Promise<{ id: string; replayed: boolean }>;
  /** Frees a key whose return was undone, so a retry may create it again. */
  releaseKey(idempotencyKey: string, returnId: string): Promise<void>;
}

/**
 * The key an OMS keeps with a return: a digest of the caller-scoped idempotency key, so no caller
 * id or key text travels to the vendor.
 */
export const requestKeyOf = (idempotencyKey: string) => `rk_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;

export async function createOrderRecords(
  db: Kysely<any>,
  options: { system: string; links: CustomerLinks; logger: Logger; emailsOf?: (graphIds: readonly string[]) => Promise<(string | null)[]> },
): Promise<OrderRecords> {
  await migrateSchema(db, ORDER_RECORDS_SCHEMA, migrations);
  const records = db.withSchema(ORDER_RECORDS_SCHEMA) as unknown as Kysely<OrderRecordTables>;
  return {
    identities: options.links.sharesGraphCustomerIds ? sameIds(options.system) : createIdentityMap(records as unknown as Kysely<IdentityTables>, options.system, options.links, options.logger, { emailsOf: options.emailsOf }),
    listReturnPolicyRules: async () => {
      const rows = await records.selectFrom('returnPolicyRules').selectAll().orderBy('id').execute();
      return rows.map((r) => ({ ...r, kind: r.kind as ReturnPolicyRule['kind'], country: r.country?.trim() ?? null }));
    },
    previousReturnId: (key, input) => previousResult(records, 'initiateReturn', key, input),
    onceForKey: (key, input, create) => claimedWrite(records, 'initiateReturn', key, input, create),
    releaseKey: async (key, returnId) => {
      await records.deleteFrom('idempotencyKeys').where('key', '=', key).where('resultId', '=', returnId).execute();
    },
  };
}
