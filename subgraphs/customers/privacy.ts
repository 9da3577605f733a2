import { z } from 'zod';
import { CHANNELS, requireRole, serviceMay, verifyViewer, VIEWER_HEADER, type Viewer } from '../shared/auth';
import { AppError, badInput, ErrorCode, HTTP_STATUS } from '../shared/errors';
import { routeError, type Route } from '../shared/http';
import type { Logger } from '../shared/logger';
import type { PrivacyStep } from '../shared/privacy';
import { redactCardNumbers } from '../shared/pii';
import type { CustomersContext } from './context';
import type { AuditEntry, CustomerSource } from './port';

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

const auditEntry = z.object({
  at: z.iso.datetime({ offset: true }).transform((at) => new Date(at)),
  actorKind: z.enum(['customer', 'agent', 'operations', 'service']),
  actorId: z.string().min(1).max(200),
  channel: z.enum(CHANNELS).nullable(),
  customerId: z.string().min(1).max(100),
  fields: z.array(z.string().min(1).max(100)).max(200),
});
const auditBatch = z.object({ entries: z.array(auditEntry).min(1).max(1_000) });

/**
 * POST /audit: the gateway's audit writes (entries of the reads it answered), all or none. A plain
 * signed route, not a GraphQL mutation: it runs before every answer leaves, cached or not, and
 * a fixed-shape insert needs no parse, validation and execution of a document (they cost the CRM
 * more than the insert itself). Only a service granted `audit` (the gateway's audit writer) may write.
 */
export function createAuditRoute(deps: { source: Pick<CustomerSource, 'recordAudit'>; gatewaySecret: string; logger: Logger }): Route {
  return async (rawBody, req) => {
    let viewer: Viewer;
    try {
      viewer = verifyViewer(req.headers[VIEWER_HEADER] as string | undefined, deps.gatewaySecret, 'customers');
    } catch (err) {
      const { code, message } = err as AppError;
      return routeError(HTTP_STATUS[code], code, message);
    }
    if (!serviceMay(viewer, 'audit')) return routeError(403, ErrorCode.FORBIDDEN, 'Only the audit writer may record audit entries');
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return routeError(400, ErrorCode.BAD_REQUEST, 'The request body is not valid JSON');
    }
    const batch = auditBatch.safeParse(json);
    if (!batch.success) return routeError(400, ErrorCode.BAD_REQUEST, `Not audit entries: ${batch.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    try {
      await deps.source.recordAudit(batch.data.entries);
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, 'audit entries not written');
      return routeError(503, ErrorCode.BACKEND_UNAVAILABLE, 'The audit log is unavailable; try again');
    }
    return { status: 200, body: { recorded: batch.data.entries.length } };
  };
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
  return { customerId, exportedAt, crm, crmSystem: ctx.source.privacy.export };
}

/** What one subgraph's erasure answered: its records and what its system of record did. */
type Erased = { records: number; system: PrivacyStep };
const reported = (system: string, erased: Erased) => {
  // Nothing was there to delete or pseudonymize (never there, or a repeat): say so rather than claim it was done.
  const nothing = erased.records === 0 && (erased.system.action === 'DELETED' || erased.system.action === 'PSEUDONYMIZED');
  return {
    system,
    records: erased.records,
    systemOfRecord: erased.system.system,
    action: nothing ? 'NOTHING_HELD' : erased.system.action,
    detail: nothing ? `Nothing of this customer held at ${erased.system.system}` : erased.system.detail,
  };
};

/**
 * GDPR erasure across the four systems: the OMS, payments and logistics first (over their
 * internal mutations), the CRM last, so a failure part-way leaves the customer findable and the
 * request can simply be repeated. Every step is idempotent.
 */
export async function eraseCustomer(ctx: CustomersContext, input: { customerId: string; reason: string }) {
  requireRole(ctx.viewer, ['operations'], 'erase customers');
  // Free text, stored in the audit log: a card number read out into it is removed first.
  const reason = redactCardNumbers(input.reason.trim());
  if (!reason || reason.length > 500) throw badInput('reason must be 1 to 500 characters', { argument: 'reason' });
  const [known] = await ctx.source.getCustomers([input.customerId]);
  if (!known) throw new AppError(ErrorCode.NOT_FOUND, 'No customer with this id', { argument: 'customerId' });
  const { graph } = ctx.services;
  const variables = { customerId: input.customerId };
  const step = 'system { system action detail }';
  const oms = await graph<{ eraseOrderData: Erased & { orderIds: string[] } }>(
    'orders', /* GraphQL */ `mutation ($customerId: ID!) { eraseOrderData(customerId: $customerId) { records orderIds ${step} } }`, variables,
  );
  const [payments, logistics] = await Promise.all([
    graph<{ erasePaymentData: Erased }>('payments', /* GraphQL */ `mutation ($customerId: ID!) { erasePaymentData(customerId: $customerId) { records ${step} } }`, variables),
    graph<{ eraseShipmentData: Erased }>('logistics', /* GraphQL */ `mutation ($orderIds: [ID!]!) { eraseShipmentData(orderIds: $orderIds) { records ${step} } }`, {
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
      reported('crm', { records: crm, system: ctx.source.privacy.erasure }),
      reported('oms', oms.eraseOrderData),
      reported('payments', payments.erasePaymentData),
      reported('logistics', logistics.eraseShipmentData),
    ],
  };
}
