import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { topRowsPerKey } from '../../../shared/sql';
import type { Address, Customer, CustomerSource, Interaction } from '../../port';
import type { AddressRow, CrmTables, CustomerRow, InteractionRow } from './tables';

export type CrmDb = Kysely<CrmTables>;

export function toCustomer(row: CustomerRow, addresses: AddressRow[]): Customer {
  return {
    ...row,
    loyaltyTier: row.loyaltyTier as Customer['loyaltyTier'],
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    addresses: addresses.map(({ customerId: _c, ...a }) => a as Address),
  };
}

export function toInteraction(row: InteractionRow): Interaction {
  return row as Interaction;
}

export async function findCustomersByIds(db: CrmDb, ids: readonly string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('customers')
    .selectAll('customers')
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('addresses').selectAll('addresses').whereRef('addresses.customerId', '=', 'customers.id').orderBy('addresses.id'),
      ).as('addresses'),
    )
    .where('customers.id', 'in', distinct(ids))
    .execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findInteractionsByIds(db: CrmDb, ids: readonly string[]): Promise<Interaction[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('interactions').selectAll().where('id', 'in', distinct(ids)).execute()).map(toInteraction);
}

export async function findRecentInteractionsByCustomers(db: CrmDb, customerIds: readonly string[], first: number) {
  return (await topRowsPerKey(db, 'interactions', 'customerId', 'occurred_at desc, id desc', customerIds, first)).map(toInteraction);
}

export async function findInteractionsByOrders(db: CrmDb, orderIds: readonly string[]): Promise<Interaction[]> {
  if (orderIds.length === 0) return [];
  const rows = await db
    .selectFrom('interactions')
    .selectAll()
    .where('orderId', 'in', distinct(orderIds))
    .orderBy('occurredAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toInteraction);
}

/** The CRM as a CustomerSource over SQL. */
export function createSqlCustomerSource(db: CrmDb): CustomerSource {
  return {
    getCustomers: async (ids) => byKey(ids, await findCustomersByIds(db, ids), (c) => c.id),
    getInteractions: async (ids) => byKey(ids, await findInteractionsByIds(db, ids), (i) => i.id),
    listInteractionsByCustomer: async (ids, first) =>
      groupByKey(ids, await findRecentInteractionsByCustomers(db, ids, first), (i) => i.customerId),
    listInteractionsByOrder: async (ids) => groupByKey(ids, await findInteractionsByOrders(db, ids), (i) => i.orderId!),
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
