import { chunks } from '../../../shared/batch';
import type { LineItem, Order, Return } from '../../port';
import { fromLineItem, fromOrder, type OmsDb } from './queries';

export interface OmsSeed {
  orders: Order[];
  lineItems: LineItem[];
  returns: Return[];
}

/** Writes demo data straight into the OMS tables (demo and tests only; the OMS owns its data). */
export async function seedOms(db: OmsDb, data: OmsSeed): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const rows of chunks(data.orders.map(fromOrder), 1_000)) await tx.insertInto('orders').values(rows).execute();
    for (const rows of chunks(data.lineItems.map(fromLineItem), 2_000)) await tx.insertInto('lineItems').values(rows).execute();
    for (const rows of chunks(data.returns, 2_000)) {
      await tx
        .insertInto('returns')
        .values(rows.map(({ items: _items, ...r }) => r))
        .execute();
      const items = rows.flatMap((r) => r.items.map((i) => ({ returnId: r.id, ...i })));
      if (items.length) await tx.insertInto('returnItems').values(items).execute();
    }
  });
}

export async function truncateOms(db: OmsDb): Promise<void> {
  await db.deleteFrom('returnItems').execute();
  await db.deleteFrom('returns').execute();
  await db.deleteFrom('lineItems').execute();
  await db.deleteFrom('orders').execute();
}
