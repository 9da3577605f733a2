import { chunks } from '../../../shared/batch';
import type { Customer, Interaction } from '../../port';
import type { CrmDb } from './queries';

export interface CrmSeed {
  customers: Customer[];
  interactions: Interaction[];
}

/** Writes demo data straight into the CRM tables (demo and tests only). */
export async function seedCrm(db: CrmDb, data: CrmSeed): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.customers, 1_000)) {
      await tx.insertInto('customers').values(rows.map(({ addresses: _a, ...c }) => c)).execute();
      const addresses = rows.flatMap((c) => c.addresses.map((a) => ({ ...a, customerId: c.id })));
      if (addresses.length) await tx.insertInto('addresses').values(addresses).execute();
    }
    for (const rows of chunks(data.interactions, 2_000)) await tx.insertInto('interactions').values(rows).execute();
  });
}

export async function truncateCrm(db: CrmDb): Promise<void> {
  await db.deleteFrom('interactions').execute();
  await db.deleteFrom('addresses').execute();
  await db.deleteFrom('customers').execute();
}
