import { chunks } from '../../../shared/batch';
import type { Customer } from '../../port';
import type { CrmDb } from './queries';

/** Writes demo profiles straight into the CRM tables (demo and tests only); interactions are the graph's records (records/seed.ts). */
export async function seedCrm(db: CrmDb, data: { customers: Customer[] }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.customers, 1_000)) {
      await tx.insertInto('customers').values(rows.map(({ addresses: _a, ...c }) => c)).execute();
      const addresses = rows.flatMap((c) => c.addresses.map((a) => ({ ...a, customerId: c.id })));
      if (addresses.length) await tx.insertInto('addresses').values(addresses).execute();
    }
  });
}

export async function truncateCrm(db: CrmDb): Promise<void> {
  await db.deleteFrom('addresses').execute();
  await db.deleteFrom('customers').execute();
}
