import { sql } from 'kysely';
import { emitChange } from '../../shared/outbox';
import type { AuditEntry, AuditFilter } from '../port';
import type { RecordsDb } from './queries';

export async function insertAuditEntries(db: RecordsDb, entries: readonly Omit<AuditEntry, 'id'>[]): Promise<void> {
  if (entries.length) await db.insertInto('auditLog').values(entries.map((e) => ({ ...e, fields: [...e.fields] }))).execute();
}

export async function findAuditEntries(db: RecordsDb, filter: AuditFilter): Promise<AuditEntry[]> {
  let query = db.selectFrom('auditLog').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.first);
  if (filter.customerId) query = query.where('customerId', '=', filter.customerId);
  if (filter.actorId) query = query.where('actorId', '=', filter.actorId);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  return (await query.execute()).map((row) => ({ ...row, id: String(row.id) }) as AuditEntry);
}

/** Every record the graph keeps about the customer, table by table; null when it keeps none. */
export async function exportRecordRows(db: RecordsDb, customerId: string): Promise<Record<string, unknown[]> | null> {
  const [interactions, handoffs, verificationAttempts, verifiedSessions, auditLog] = await Promise.all([
    db.selectFrom('interactions').selectAll().where('customerId', '=', customerId).orderBy('occurredAt').execute(),
    db.selectFrom('handoffs').selectAll().where('customerId', '=', customerId).orderBy('createdAt').execute(),
    db.selectFrom('verificationAttempts').selectAll().where('customerId', '=', customerId).orderBy('attemptedAt').execute(),
    // Token hashes are credentials' fingerprints, not the customer's data.
    db.selectFrom('verifiedSessions').select(['id', 'channel', 'method', 'agentId', 'createdAt', 'expiresAt']).where('customerId', '=', customerId).execute(),
    db.selectFrom('auditLog').selectAll().where('customerId', '=', customerId).orderBy('at').execute(),
  ]);
  const rows = { interactions, handoffs, verificationAttempts, verifiedSessions, auditLog };
  return Object.values(rows).some((list) => list.length) ? rows : null;
}

/**
 * The graph's part of GDPR erasure, in one transaction: the free text of contacts (which may quote
 * the customer) is dropped and sessions are deleted. What happened (channels, intents, outcomes,
 * dates) stays, without a person behind it. Answers the records changed.
 */
export async function eraseRecordRows(db: RecordsDb, customerId: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const changed = await Promise.all([
      trx.updateTable('interactions').set({ summary: null, failureReason: null, stepsTried: sql`'{}'` }).where('customerId', '=', customerId).executeTakeFirst(),
      trx.updateTable('handoffs').set({ summary: '[erased]', failureReason: '[erased]', stepsTried: sql`'{}'`, resolutionSummary: null }).where('customerId', '=', customerId).executeTakeFirst(),
      trx.deleteFrom('verifiedSessions').where('customerId', '=', customerId).executeTakeFirst(),
    ]);
    // Also ends every session of the customer in every replica, even if this process stops now.
    await emitChange(trx, 'customer.erased', { customerId });
    return changed.reduce((n, r) => n + Number('numUpdatedRows' in r ? r.numUpdatedRows : r.numDeletedRows), 0);
  });
}
