import { chunks } from '../../shared/batch';
import type { Interaction } from '../port';
import type { RecordsDb } from './queries';

/** Writes demo interactions straight into the graph's records (demo and tests only). */
export async function seedCustomerRecords(db: RecordsDb, data: { interactions: Interaction[] }): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.interactions, 2_000)) await tx.insertInto('interactions').values(rows).execute();
  });
}

export async function truncateCustomerRecords(db: RecordsDb): Promise<void> {
  // Handoffs first: each names its escalating interaction.
  await db.deleteFrom('handoffs').execute();
  await db.deleteFrom('interactions').execute();
}
