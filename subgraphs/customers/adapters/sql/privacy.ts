import type { CrmDb } from './queries';

/** The profile and its addresses: the CRM's part of a GDPR access request. */
export async function exportCustomerRows(db: CrmDb, customerId: string): Promise<Record<string, unknown> | null> {
  const customer = await db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
  if (!customer) return null;
  const addresses = await db.selectFrom('addresses').selectAll().where('customerId', '=', customerId).orderBy('id').execute();
  return { customer, addresses };
}

/**
 * The CRM's part of GDPR erasure, in one transaction: the profile and addresses are pseudonymized
 * (the row stays, so the graph's records still name someone, if no one in particular).
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
    const addresses = await trx
      .updateTable('addresses')
      .set({ name: 'Erased', line1: '—', line2: null, region: null, postalCode: '—', city: '—' })
      .where('customerId', '=', customerId)
      .executeTakeFirst();
    return 1 + Number(addresses.numUpdatedRows);
  });
}
