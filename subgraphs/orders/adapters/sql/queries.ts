import { drainOutbox, emitChange } from '../../../shared/outbox';
import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { money } from '../../../shared/money';
import { topRowsPerKey } from '../../../shared/sql';
import { randomInt, randomUUID } from 'node:crypto';
import { eraseCustomerOrders, exportCustomerOrders } from './privacy';
import type { LineItem, NewReturn, Order, OrderDetails, OrderSystem, Return } from '../../port';
import type { LineItemRow, OmsTables, OrderRow, ReturnItemRow, ReturnRow } from './tables';

export type OmsDb = Kysely<OmsTables>;

export function toOrder(row: OrderRow): Order {
  const m = (minor: number) => money(minor, row.currency);
  return {
    id: row.id,
    number: row.number,
    customerId: row.customerId,
    status: row.status as Order['status'],
    placedAt: row.placedAt,
    updatedAt: row.updatedAt,
    deliveredAt: row.deliveredAt,
    currency: row.currency,
    subtotal: m(row.subtotalMinor),
    shippingTotal: m(row.shippingMinor),
    taxTotal: m(row.taxMinor),
    discountTotal: m(row.discountMinor),
    total: m(row.totalMinor),
    shippingAddress: {
      name: row.shipName,
      line1: row.shipLine1,
      line2: row.shipLine2,
      city: row.shipCity,
      region: row.shipRegion,
      postalCode: row.shipPostalCode,
      country: row.shipCountry,
    },
    ...(row.erasedAt ? { erasedAt: row.erasedAt } : {}),
  };
}

export function fromOrder(order: Order): OrderRow {
  const a = order.shippingAddress;
  return {
    id: order.id,
    number: order.number,
    customerId: order.customerId,
    status: order.status,
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    deliveredAt: order.deliveredAt,
    currency: order.currency,
    subtotalMinor: order.subtotal.amountMinor,
    shippingMinor: order.shippingTotal.amountMinor,
    taxMinor: order.taxTotal.amountMinor,
    discountMinor: order.discountTotal.amountMinor,
    totalMinor: order.total.amountMinor,
    shipName: a.name,
    shipLine1: a.line1,
    shipLine2: a.line2,
    shipCity: a.city,
    shipRegion: a.region,
    shipPostalCode: a.postalCode,
    shipCountry: a.country,
  };
}

// The currency lives on the order; line items are read joined to it.
export function toLineItem(row: LineItemRow & { currency: string }): LineItem {
  return {
    id: row.id,
    orderId: row.orderId,
    position: row.position,
    sku: row.sku,
    title: row.title,
    category: row.category,
    quantity: row.quantity,
    unitPrice: money(row.unitPriceMinor, row.currency),
    total: money(row.unitPriceMinor * row.quantity, row.currency),
    finalSale: row.finalSale,
  };
}

export function fromLineItem(item: LineItem): LineItemRow {
  return {
    id: item.id,
    orderId: item.orderId,
    position: item.position,
    sku: item.sku,
    title: item.title,
    category: item.category,
    quantity: item.quantity,
    unitPriceMinor: item.unitPrice.amountMinor,
    finalSale: item.finalSale,
  };
}

export function toReturn(row: ReturnRow, items: ReturnItemRow[]): Return {
  return {
    id: row.id,
    rma: row.rma,
    orderId: row.orderId,
    customerId: row.customerId,
    status: row.status as Return['status'],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    items: items.map((i) => ({ lineItemId: i.lineItemId, quantity: i.quantity, reason: i.reason as Return['items'][number]['reason'] })),
  };
}

export async function findOrdersByIds(db: OmsDb, ids: readonly string[]): Promise<Order[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('orders').selectAll().where('id', 'in', distinct(ids)).execute();
  return rows.map(toOrder);
}

export async function findOrdersByNumbers(db: OmsDb, numbers: readonly string[]): Promise<Order[]> {
  if (numbers.length === 0) return [];
  const rows = await db.selectFrom('orders').selectAll().where('number', 'in', distinct(numbers)).execute();
  return rows.map(toOrder);
}

export async function findRecentOrdersByCustomers(db: OmsDb, customerIds: readonly string[], first: number): Promise<Order[]> {
  const rows = await topRowsPerKey(db, 'orders', 'customerId', 'placed_at desc, id desc', customerIds, first);
  return rows.map(toOrder);
}

// The currency by primary key per row: a join here makes PostgreSQL hash all orders (84 ms at 300k orders).
const lineItemsWithCurrency = (db: OmsDb) =>
  db
    .selectFrom('lineItems')
    .selectAll('lineItems')
    .select((eb) => eb.selectFrom('orders').select('orders.currency').whereRef('orders.id', '=', 'lineItems.orderId').as('currency'));

export async function findLineItemsByIds(db: OmsDb, ids: readonly string[]): Promise<LineItem[]> {
  if (ids.length === 0) return [];
  const rows = await lineItemsWithCurrency(db).where('lineItems.id', 'in', distinct(ids)).execute();
  return rows.map((row) => toLineItem(row as LineItemRow & { currency: string }));
}

export async function findLineItemsByOrders(db: OmsDb, orderIds: readonly string[]): Promise<LineItem[]> {
  if (orderIds.length === 0) return [];
  const rows = await lineItemsWithCurrency(db)
    .where('lineItems.orderId', 'in', distinct(orderIds))
    .orderBy('lineItems.orderId')
    .orderBy('lineItems.position')
    .execute();
  return rows.map((row) => toLineItem(row as LineItemRow & { currency: string }));
}

/** Returns with their items in one round trip (the items aggregated as JSON). */
const returnsWithItems = (db: OmsDb) =>
  db
    .selectFrom('returns')
    .selectAll('returns')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('returnItems')
          .innerJoin('lineItems', 'lineItems.id', 'returnItems.lineItemId')
          .select(['returnItems.returnId', 'returnItems.lineItemId', 'returnItems.quantity', 'returnItems.reason'])
          .whereRef('returnItems.returnId', '=', 'returns.id')
          .orderBy('lineItems.position'),
      ).as('items'),
    );

const toReturnWithItems = ({ items, ...row }: ReturnRow & { items: ReturnItemRow[] }) => toReturn(row, items);

export async function findReturnsByIds(db: OmsDb, ids: readonly string[]): Promise<Return[]> {
  if (ids.length === 0) return [];
  const rows = await returnsWithItems(db).where('returns.id', 'in', distinct(ids)).execute();
  return rows.map(toReturnWithItems);
}

export async function findReturnsByOrders(db: OmsDb, orderIds: readonly string[]): Promise<Return[]> {
  if (orderIds.length === 0) return [];
  const rows = await returnsWithItems(db)
    .where('returns.orderId', 'in', distinct(orderIds))
    .orderBy('returns.createdAt', 'desc')
    .orderBy('returns.id', 'desc')
    .execute();
  return rows.map(toReturnWithItems);
}

export async function findRecentReturnsByCustomers(db: OmsDb, customerIds: readonly string[], first: number): Promise<Return[]> {
  if (customerIds.length === 0 || first <= 0) return [];
  const rows = await returnsWithItems(db)
    .innerJoin(
      (eb) =>
        eb
          .selectFrom('returns')
          .select('id')
          .select(sql<number>`row_number() over (partition by customer_id order by created_at desc, id desc)`.as('rank'))
          .where('customerId', 'in', distinct(customerIds))
          .as('ranked'),
      (join) => join.onRef('ranked.id', '=', 'returns.id'),
    )
    .where('ranked.rank', '<=', first)
    .orderBy('returns.createdAt', 'desc')
    .orderBy('returns.id', 'desc')
    .execute();
  return rows.map(toReturnWithItems);
}

/**
 * The line items and returns of each customer's latest `first` orders, in one statement (so from
 * one snapshot: the orders covered are exactly the ones listed), as JSON per order.
 */
export async function findRecentOrderDetailsByCustomers(db: OmsDb, customerIds: readonly string[], first: number): Promise<(OrderDetails & { customerId: string })[]> {
  if (customerIds.length === 0 || first <= 0) return [];
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('orders')
        .select(['id', 'customerId', 'currency', 'placedAt'])
        .select(sql<number>`row_number() over (partition by customer_id order by placed_at desc, id desc)`.as('rank'))
        .where('customerId', 'in', distinct(customerIds))
        .as('recent'),
    )
    .select(['recent.id', 'recent.customerId', 'recent.currency'])
    .select((eb) => [
      jsonArrayFrom(eb.selectFrom('lineItems').selectAll('lineItems').whereRef('lineItems.orderId', '=', 'recent.id').orderBy('lineItems.position')).as('lineItems'),
      jsonArrayFrom(
        returnsWithItems(db).where('returns.orderId', '=', sql.ref<string>('recent.id')).orderBy('returns.createdAt', 'desc').orderBy('returns.id', 'desc'),
      ).as('returns'),
    ])
    .where('recent.rank', '<=', first)
    .orderBy('recent.placedAt', 'desc')
    .orderBy('recent.id', 'desc')
    .execute();
  return rows.map((row) => ({
    orderId: row.id,
    customerId: row.customerId,
    lineItems: row.lineItems.map((item) => toLineItem({ ...item, currency: row.currency })),
    // JSON carries timestamps as text.
    returns: row.returns.map(({ items, ...r }) => toReturn({ ...r, createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt) }, items)),
  }));
}

/** The order row locked for the rest of the transaction, so returns against it are written one at a time. */
async function lockOrder(db: OmsDb, orderId: string) {
  return db.selectFrom('orders').select('id').where('id', '=', orderId).forUpdate().executeTakeFirst();
}

export async function insertReturn(db: OmsDb, input: NewReturn, requestKey: string, check: (existing: Return[]) => void): Promise<Return> {
  const returnId = await db.transaction().execute(async (tx) => {
    if (!(await lockOrder(tx, input.orderId))) throw new Error(`order ${input.orderId} vanished during a return`);
    check(await findReturnsByOrders(tx, [input.orderId]));
    const now = new Date();
    const id = `ret_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    // RMA numbers are what customers read out: short, random, unique (retried on the rare clash).
    for (let attempt = 0; ; attempt++) {
      const inserted = await tx
        .insertInto('returns')
        .values({ id, rma: `RMA-${randomInt(10_000_000, 99_999_999)}`, orderId: input.orderId, customerId: input.customerId, status: 'REQUESTED', createdAt: now, updatedAt: now, requestKey })
        .onConflict((oc) => oc.column('rma').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) break;
      if (attempt > 5) throw new Error('could not allocate an RMA number');
    }
    await tx.insertInto('returnItems').values(input.items.map((i) => ({ returnId: id, ...i }))).execute();
    await emitChange(tx, 'return.updated', { returnId: id, orderId: input.orderId, customerId: input.customerId });
    return id;
  });
  const [ret] = await findReturnsByIds(db, [returnId]);
  if (!ret) throw new Error(`return ${returnId} was not found after it was written`);
  return ret;
}

export async function findReturnByRequestKey(db: OmsDb, orderId: string, requestKey: string): Promise<Return | null> {
  const row = await db.selectFrom('returns').select('id').where('orderId', '=', orderId).where('requestKey', '=', requestKey).executeTakeFirst();
  return row ? ((await findReturnsByIds(db, [row.id]))[0] ?? null) : null;
}

export async function deleteAbandonedReturn(db: OmsDb, returnId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('returnItems').where('returnId', '=', returnId).execute();
    const gone = await tx.deleteFrom('returns').where('id', '=', returnId).returning(['orderId', 'customerId']).executeTakeFirst();
    if (gone) await emitChange(tx, 'return.updated', { returnId, orderId: gone.orderId, customerId: gone.customerId });
  });
}

export async function countOrdersPlacedBetween(db: OmsDb, from: Date, to: Date): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('placedAt', '>=', from)
    .where('placedAt', '<', to)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The reference OMS over SQL; it stores the graph's own customer ids. */
export function createSqlOrderSystem(db: OmsDb): OrderSystem {
  return {
    sharesGraphCustomerIds: true,
    getOrders: async (ids) => byKey(ids, await findOrdersByIds(db, ids), (o) => o.id),
    getOrdersByNumber: async (numbers) => byKey(numbers, await findOrdersByNumbers(db, numbers), (o) => o.number),
    listOrdersByCustomer: async (ids, first) => groupByKey(ids, await findRecentOrdersByCustomers(db, ids, first), (o) => o.customerId),
    listOrderDetailsByCustomer: async (ids, first) =>
      groupByKey(ids, await findRecentOrderDetailsByCustomers(db, ids, first), (d) => d.customerId).map((list) => list.map(({ customerId: _, ...d }) => d)),
    getLineItems: async (ids) => byKey(ids, await findLineItemsByIds(db, ids), (i) => i.id),
    listLineItemsByOrder: async (ids) => groupByKey(ids, await findLineItemsByOrders(db, ids), (i) => i.orderId),
    getReturns: async (ids) => byKey(ids, await findReturnsByIds(db, ids), (r) => r.id),
    listReturnsByOrder: async (ids) => groupByKey(ids, await findReturnsByOrders(db, ids), (r) => r.orderId),
    listReturnsByCustomer: async (ids, first) =>
      groupByKey(ids, await findRecentReturnsByCustomers(db, ids, first), (r) => r.customerId),
    createReturn: (input, requestKey, check) => insertReturn(db, input, requestKey, check),
    findReturnByRequestKey: (orderId, requestKey) => findReturnByRequestKey(db, orderId, requestKey),
    abandonReturn: (ret) => deleteAbandonedReturn(db, ret.id),
    exportCustomer: (id) => exportCustomerOrders(db, id),
    eraseCustomer: (id, at) => eraseCustomerOrders(db, id, at),
    privacy: { export: { system: 'sql', action: 'EXPORTED', detail: 'Orders with their line items and returns' }, erasure: { system: 'sql', action: 'PSEUDONYMIZED', detail: 'Orders\' shipping addresses pseudonymized and orders marked erased; amounts and items kept' } },
    drainChanges: (deliver, limit) => drainOutbox(db, deliver, limit),
    countOrdersPlaced: (from, to) => countOrdersPlacedBetween(db, from, to),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
