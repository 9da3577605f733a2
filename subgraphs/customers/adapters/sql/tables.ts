import type { Customer } from '../../port';

/**
 * The reference CRM's tables in schema `crm`, as kysely sees them (CamelCasePlugin maps to
 * snake_case): profiles and addresses only; interactions, handoffs, verification, sessions and
 * audit are the graph's own records (subgraphs/customers/records).
 */
export interface CrmTables {
  customers: Omit<Customer, 'addresses' | 'loyaltyTier'> & { loyaltyTier: string; erasedAt?: Date | null };
  addresses: {
    id: string;
    customerId: string;
    kind: string;
    isDefault: boolean;
    name: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
  };
}

export type CustomerRow = CrmTables['customers'];
export type AddressRow = CrmTables['addresses'];
