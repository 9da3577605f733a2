import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import type { Address, Customer, CustomerSystem } from '../../port';
import { eraseCustomerRows, exportCustomerRows } from './privacy';
import type { AddressRow, CrmTables, CustomerRow } from './tables';

export type CrmDb = Kysely<CrmTables>;

export function toCustomer(row: CustomerRow, addresses: AddressRow[]): Customer {
  const { erasedAt: _erased, ...fields } = row;
  return {
    ...fields,
    loyaltyTier: row.loyaltyTier as Customer['loyaltyTier'],
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    addresses: addresses.map(({ customerId: _c, ...a }) => a as Address),
  };
}

const customersWithAddresses = (db: CrmDb) =>
  db
    .selectFrom('customers')
    .selectAll('customers')
    .select((eb) =>
      jsonArrayFrom(
        eb.selectFrom('addresses').selectAll('addresses').whereRef('addresses.customerId', '=', 'customers.id').orderBy('addresses.id'),
      ).as('addresses'),
    );

export async function findCustomersByIds(db: CrmDb, ids: readonly string[]): Promise<Customer[]> {
  if (ids.length === 0) return [];
  const rows = await customersWithAddresses(db).where('customers.id', 'in', distinct(ids)).execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findCustomersByEmails(db: CrmDb, emails: readonly string[]): Promise<Customer[]> {
  if (emails.length === 0) return [];
  const rows = await customersWithAddresses(db)
    .where(sql<string>`lower(customers.email)`, 'in', distinct(emails.map((e) => e.toLowerCase())))
    .orderBy('customers.id')
    .execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

export async function findCustomersByPhones(db: CrmDb, phones: readonly string[]): Promise<Customer[]> {
  if (phones.length === 0) return [];
  const rows = await customersWithAddresses(db).where('customers.phone', 'in', distinct(phones)).orderBy('customers.id').execute();
  return rows.map(({ addresses, ...row }) => toCustomer(row, addresses));
}

/** The reference CRM as a CustomerSystem over SQL: profiles and addresses, in the graph's own customer ids. */
export function createSqlCustomerSystem(db: CrmDb): CustomerSystem {
  return {
    // Its customer ids are the graph's: no identity lookups on the hot path.
    sharesGraphCustomerIds: true,
    getCustomers: async (ids) => byKey(ids, await findCustomersByIds(db, ids), (c) => c.id),
    findCustomersByEmail: async (emails) =>
      groupByKey(emails.map((e) => e.toLowerCase()), await findCustomersByEmails(db, emails), (c) => c.email.toLowerCase()),
    findCustomersByPhone: async (phones) => groupByKey(phones, await findCustomersByPhones(db, phones), (c) => c.phone!),
    exportCustomer: (id) => exportCustomerRows(db, id),
    eraseCustomer: (id, at) => eraseCustomerRows(db, id, at),
    privacy: { export: { system: 'sql', action: 'EXPORTED', detail: 'The profile and its addresses' }, erasure: { system: 'sql', action: 'PSEUDONYMIZED', detail: 'Profile and addresses pseudonymized; the customer row kept, marked erased' } },
    ping: async () => void (await sql`select 1`.execute(db)),
  };
}
