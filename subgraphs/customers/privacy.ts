import { requireRole } from '../shared/auth';
import { AppError, badInput, ErrorCode } from '../shared/errors';
import type { CustomersContext } from './context';
import type { AuditEntry } from './port';

/** A profile read, as the CRM reports it to the gateway. */
export interface AuditedRead {
  customerId: string;
  fields: string[];
}

/** Fields that say nothing about the person: reading them alone is not a profile read. */
const NOT_PERSONAL = new Set(['id', '__typename', 'asOf']);

const actor = (ctx: CustomersContext) => ({
  actorKind: ctx.viewer.kind,
  actorId: ctx.viewer.id,
  channel: ctx.viewer.kind === 'agent' ? ctx.viewer.channel : null,
});

/**
 * Which customer profiles this request read, and which fields: reported in the response's
 * `extensions.audit`, so the gateway writes them down for every answer it gives from it, cached
 * or not, before that answer leaves (and withholds the answer when it cannot).
 */
export async function auditProfileReads(ctx: CustomersContext): Promise<{ audit: AuditedRead[] } | void> {
  const audit = [...ctx.reads].flatMap(([key, fields]) => {
    const read = [...fields].filter((f) => !NOT_PERSONAL.has(f)).sort();
    return read.length ? [{ customerId: key.slice(key.indexOf(':') + 1), fields: read }] : [];
  });
  if (audit.length) return { audit };
}

/** The gateway's audit writes (internal): entries of the reads it answered. */
export async function recordAuditEntries(ctx: CustomersContext, entries: Omit<AuditEntry, 'id'>[]): Promise<number> {
  requireRole(ctx.viewer, ['service'], 'record audit entries');
  await ctx.source.recordAudit(entries);
  return entries.length;
}

export function auditLog(ctx: CustomersContext, args: { customerId?: string | null; actorId?: string | null; from?: Date | null; to?: Date | null; first: number }) {
  requireRole(ctx.viewer, ['operations'], 'read the audit log');
  if (args.first < 1 || args.first > 500) throw badInput('first must be between 1 and 500', { argument: 'first' });
  return ctx.source.listAudit(args);
}

/** The CRM's part of a GDPR export; the other subgraphs add theirs to the same CustomerDataExport. */
export async function exportCustomerData(ctx: CustomersContext, customerId: string) {
  requireRole(ctx.viewer, ['operations'], 'export customer data');
  const crm = await ctx.source.exportCustomer(customerId);
  if (!crm) return null;
  const exportedAt = new Date();
  await ctx.source.recordAudit([{ ...actor(ctx), at: exportedAt, customerId, fields: ['EXPORT'] }]);
  return { customerId, exportedAt, crm };
}

/**
 * GDPR erasure across the four systems: the OMS, payments and logistics first (over their
 * internal mutations), the CRM last, so a failure part-way leaves the customer findable and the
 * request can simply be repeated. Every step is idempotent.
 */
export async function eraseCustomer(ctx: CustomersContext, input: { customerId: string; reason: string }) {
  requireRole(ctx.viewer, ['operations'], 'erase customers');
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw badInput('reason must be 1 to 500 characters', { argument: 'reason' });
  const [known] = await ctx.source.getCustomers([input.customerId]);
  if (!known) throw new AppError(ErrorCode.NOT_FOUND, 'No customer with this id', { argument: 'customerId' });
  const { graph } = ctx.services;
  const variables = { customerId: input.customerId };
  const oms = await graph<{ eraseOrderData: { records: number; orderIds: string[] } }>(
    'orders', /* GraphQL */ `mutation ($customerId: ID!) { eraseOrderData(customerId: $customerId) { records orderIds } }`, variables,
  );
  const [payments, logistics] = await Promise.all([
    graph<{ erasePaymentData: number }>('payments', /* GraphQL */ `mutation ($customerId: ID!) { erasePaymentData(customerId: $customerId) }`, variables),
    graph<{ eraseShipmentData: number }>('logistics', /* GraphQL */ `mutation ($orderIds: [ID!]!) { eraseShipmentData(orderIds: $orderIds) }`, {
      orderIds: oms.eraseOrderData.orderIds,
    }),
  ]);
  const erasedAt = new Date();
  const crm = (await ctx.source.eraseCustomer(input.customerId, erasedAt)) ?? 0;
  const entry: Omit<AuditEntry, 'id'> = { ...actor(ctx), at: erasedAt, customerId: input.customerId, fields: ['ERASE', `reason: ${reason}`] };
  await ctx.source.recordAudit([entry]);
  return {
    customerId: input.customerId,
    erasedAt,
    systems: [
      { system: 'crm', records: crm },
      { system: 'oms', records: oms.eraseOrderData.records },
      { system: 'payments', records: payments.erasePaymentData },
      { system: 'logistics', records: logistics.eraseShipmentData },
    ],
  };
}
