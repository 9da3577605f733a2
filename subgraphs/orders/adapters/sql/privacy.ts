import { emitChange } from '../../../shared/outbox';
import type { OmsDb } from './queries';

/** The customer's orders with their items, and their returns with items: a GDPR access answer. */
export async function exportCustomerOrders(db: OmsDb, customerId: string) {
  const orders = await db.selectFrom('orders').selectAll().where('customerId', '=', customerId).orderBy('placedAt').execute();
  const orderIds = orders.map((o) => o.id);
  const [lineItems, returns] = await Promise.all([
    orderIds.length ? db.selectFrom('lineItems').selectAll().where('orderId', 'in', orderIds).orderBy('orderId').orderBy('position').execute() : [],
    db.selectFrom('returns').selectAll().where('customerId', '=', customerId).orderBy('createdAt').execute(),
  ]);
  const returnItems = returns.length
    ? await db.selectFrom('returnItems').selectAll().where('returnId', 'in', returns.map((r) => r.id)).execute()
    : [];
  return { orderIds, data: { orders, lineItems, returns, returnItems } };
}

/**
 * GDPR erasure in the OMS: each order's shipping address is pseudonymized and the order marked
 * erased (identification by its number then finds no one); amounts, items and dates stay, as
 * bookkeeping law requires.
 */
export async function eraseCustomerOrders(db: OmsDb, customerId: string, at: Date) {
  return db.transaction().execute(async (tx) => {
    const rows = await tx
      .updateTable('orders')
      .set({ shipName: 'Erased', shipLine1: '—', shipLine2: null, shipCity: '—', shipRegion: null, shipPostalCode: '—', erasedAt: at })
      .where('customerId', '=', customerId)
      .returning('id')
      .execute();
    for (const row of rows) await emitChange(tx, 'order.updated', { orderId: row.id, customerId });
    return { records: rows.length, orderIds: rows.map((r) => r.id) };
  });
}
