import type { Kysely } from 'kysely';
import { byKey, distinct, groupByKey } from '../../shared/batch';
import { migrateSchema } from '../../shared/db';
import { createIdentityMap, sameIds, type CustomerLinks, type IdentityMap, type IdentityTables } from '../../shared/identity';
import type { Logger } from '../../shared/logger';
import { drainOutbox, emitChange, type ChangeFeed } from '../../shared/outbox';
import { topRowsPerKey } from '../../shared/sql';
import type { CustomerSource } from '../port';
import { migrations } from './migrations';
import { eraseRecordRows, exportRecordRows, findAuditEntries, insertAuditEntries } from './privacy';
import {
  countContactsBetween, findHandoffs, handoffTimesBetween, findInteractionsByIds, findInteractionsByOrders, findOpenHandoffsByCustomers, findRecentInteractionsByCustomers,
  insertEscalation, insertInteraction, recordAttempt, resolveHandoffRow, toHandoff, toSession, type RecordsDb,
} from './queries';

/** The schema the customers subgraph's own records live in, whatever the CRM. */
export const CUSTOMER_RECORDS_SCHEMA = 'customers_records';

/** What the customers subgraph keeps itself, beside any CRM, in graph customer ids. */
export interface CustomerRecords
  extends Required<ChangeFeed>,
    Omit<CustomerSource, 'getCustomers' | 'findCustomersByEmail' | 'findCustomersByPhone' | 'ping' | 'drainChanges' | 'exportCustomer' | 'eraseCustomer' | 'privacy'> {
  identities: IdentityMap;
  /** Every record about the customer, table by table; null when there is none. */
  exportCustomer(customerId: string): Promise<Record<string, unknown[]> | null>;
  /** Drops the free text of the customer's contacts and deletes their sessions (GDPR erasure); the records changed. */
  eraseCustomer(customerId: string): Promise<number>;
}

export async function createCustomerRecords(db: Kysely<any>, options: { system: string; links: CustomerLinks; logger: Logger }): Promise<CustomerRecords> {
  await migrateSchema(db, CUSTOMER_RECORDS_SCHEMA, migrations);
  const records = db.withSchema(CUSTOMER_RECORDS_SCHEMA) as unknown as RecordsDb;
  return {
    // The CRM is where emails come from: no email rule links its own customers.
    identities: options.links.sharesGraphCustomerIds ? sameIds(options.system) : createIdentityMap(records as unknown as Kysely<IdentityTables>, options.system, options.links, options.logger),
    getInteractions: async (ids) => byKey(ids, await findInteractionsByIds(records, ids), (i) => i.id),
    listInteractionsByCustomer: async (ids, first) => groupByKey(ids, await findRecentInteractionsByCustomers(records, ids, first), (i) => i.customerId),
    listInteractionsByOrder: async (ids) => groupByKey(ids, await findInteractionsByOrders(records, ids), (i) => i.orderId!),
    recordVerificationAttempt: (attempt, policy) => recordAttempt(records, attempt, policy),
    createVerifiedSession: async (session) => void (await records.insertInto('verifiedSessions').values(session).execute()),
    getVerifiedSessions: async (ids) =>
      byKey(ids, ids.length === 0 ? [] : (await records.selectFrom('verifiedSessions').selectAll().where('id', 'in', distinct(ids)).execute()).map(toSession), (s) => s.id),
    recordInteraction: (interaction, key) => insertInteraction(records, interaction, key),
    escalate: (handoff, escalation, key) => insertEscalation(records, handoff, escalation, key),
    getHandoffs: async (ids) => byKey(ids, await findHandoffs(records, ids), (h) => h.id),
    listHandoffsByCustomer: async (ids, first) =>
      groupByKey(ids, (await topRowsPerKey(records, 'handoffs', 'customerId', 'created_at desc, id desc', ids, first)).map(toHandoff), (h) => h.customerId),
    listOpenHandoffsByCustomer: async (ids) => groupByKey(ids, await findOpenHandoffsByCustomers(records, ids), (h) => h.customerId),
    acceptHandoff: async (id, acceptance) => {
      await records.transaction().execute(async (tx) => {
        const accepted = await tx
          .updateTable('handoffs')
          .set({ status: 'ACCEPTED', acceptedAt: acceptance.at, acceptedBy: acceptance.agentId })
          .where('id', '=', id)
          .where('status', '=', 'OPEN')
          .returning('customerId')
          .executeTakeFirst();
        if (accepted) await emitChange(tx, 'handoff.updated', { handoffId: id, customerId: accepted.customerId });
      });
      return (await findHandoffs(records, [id]))[0] ?? null;
    },
    resolveHandoff: (id, resolution, closing, key) => resolveHandoffRow(records, id, resolution, closing, key),
    countContacts: (from, to) => countContactsBetween(records, from, to),
    handoffTimes: (from, to) => handoffTimesBetween(records, from, to),
    recordAudit: (entries) => insertAuditEntries(records, entries),
    listAudit: (filter) => findAuditEntries(records, filter),
    exportCustomer: (id) => exportRecordRows(records, id),
    eraseCustomer: (id) => eraseRecordRows(records, id),
    drainChanges: (deliver, limit) => drainOutbox(records, deliver, limit),
  };
}
