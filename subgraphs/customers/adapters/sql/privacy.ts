import { sql } from 'kysely';
import { emitChange } from '../../../shared/outbox';
import type { AuditEntry, AuditFilter } from '../../port';
import type { CrmDb } from './queries';

export async function insertAuditEntries(db: CrmDb, entries: readonly Omit<AuditEntry, 'id'>[]): Promise<void> {
  if (entries.length) await db.insertInto('auditLog').values(entries.map((e) => ({ ...e, fields: [...e.fields] }))).execute();
}

export async function findAuditEntries(db: CrmDb, filter: AuditFilter): Promise<AuditEntry[]> {
  let query = db.selectFrom('auditLog').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.first);
  if (filter.customerId) query = query.where('customerId', '=', filter.customerId);
  if (filter.actorId) query = query.where('actorId', '=', filter.actorId);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  return (await query.execute()).map((row) => ({ ...row, id: String(row.id) }) as AuditEntry);
}

/** Every row about the customer, table by table: what a GDPR access request is answered with. */
export async function exportCustomerRows(db: CrmDb, customerId: string): Promise<Record<string, unknown> | null> {
  const customer = await db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
  if (!customer) return null;
  const [addresses, interactions, handoffs, verificationAttempts, verifiedSessions, auditLog] = await Promise.all([
    db.selectFrom('addresses').selectAll().where('customerId', '=', customerId).orderBy('id').execute(),
    db.selectFrom('interactions').selectAll().where('customerId', '=', customerId).orderBy('occurredAt').execute(),
    db.selectFrom('handoffs').selectAll().where('customerId', '=', customerId).orderBy('createdAt').execute(),
    db.selectFrom('verificationAttempts').selectAll().where('customerId', '=', customerId).orderBy('attemptedAt').execute(),
    // Token hashes are credentials' fingerprints, not the customer's data.
    db.selectFrom('verifiedSessions').select(['id', 'channel', 'method', 'agentId', 'createdAt', 'expiresAt']).where('customerId', '=', customerId).execute(),
    db.selectFrom('auditLog').selectAll().where('customerId', '=', customerId).orderBy('at').execute(),
  ]);
  return { customer, addresses, interactions, handoffs, verificationAttempts, verifiedSessions, auditLog };
}

/**
 * GDPR erasure in the CRM, in one transaction: the profile and addresses are pseudonymized, the
 * free text of contacts (which may quote the customer) is dropped, sessions are deleted. What
 * happened (channels, intents, outcomes, dates) stays, without a person behind it.
 */
export async function eraseCustomerRows(db: CrmDb, customerId: string, at: Date): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const pseudonym = `erased-${customerId}`;
    const customer = await trx
      .updateTable('customers')
      .set({
        firstName: 'Erased',
        lastName: 'Customer',
        email: `${pseudonym}@erased.invalid`,
        phone: null,
        dateOfBirth: null,
        marketingConsent: false,
        updatedAt: at,
        erasedAt: at,
      })
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (Number(customer.numUpdatedRows) === 0) return null;
    const changed = await Promise.all([
      trx.updateTable('addresses').set({ name: 'Erased', line1: '—', line2: null, region: null, postalCode: '—', city: '—' }).where('customerId', '=', customerId).executeTakeFirst(),
      trx.updateTable('interactions').set({ summary: null, failureReason: null, stepsTried: sql`'{}'` }).where('customerId', '=', customerId).executeTakeFirst(),
      trx.updateTable('handoffs').set({ summary: '[erased]', failureReason: '[erased]', stepsTried: sql`'{}'`, resolutionSummary: null }).where('customerId', '=', customerId).executeTakeFirst(),
      trx.deleteFrom('verifiedSessions').where('customerId', '=', customerId).executeTakeFirst(),
    ]);
    // Also ends every session of the customer in every replica, even if this process stops now.
    await emitChange(trx, 'customer.erased', { customerId });
    return 1 + changed.reduce((n, r) => n + Number('numUpdatedRows' in r ? r.numUpdatedRows : r.numDeletedRows), 0);
  });
}
