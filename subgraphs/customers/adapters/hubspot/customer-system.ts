// A copy of the CustomerSystem port (briefs/crmseam.md) until the "crmseam" commit lands on main; removed at that merge.
import type { ChangeFeed } from '../../../shared/outbox';
import type { CustomerLinks } from '../../../shared/identity';
import type { VendorWebhook } from '../../../shared/webhooks';
import type { Customer } from '../../port';

export interface CustomerSystem extends Partial<ChangeFeed>, CustomerLinks {
  getCustomers(ids: readonly string[]): Promise<(Customer | null)[]>;
  findCustomersByEmail(emails: readonly string[]): Promise<Customer[][]>;
  findCustomersByPhone(phones: readonly string[]): Promise<Customer[][]>;
  exportCustomer(customerId: string): Promise<Record<string, unknown> | null>;
  eraseCustomer(customerId: string, at: Date): Promise<number | null>;
  ping(): Promise<void>;
  webhooks?: VendorWebhook[];
}
