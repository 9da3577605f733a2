import { randomBytes, randomUUID } from 'node:crypto';
import { requireService } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import { normalizeTrackingNumber, returnCarrierFor } from '../carriers';
import type { ShipmentRegistration } from '../port';
import type { LogisticsContext } from '../context';

const LABEL_VALID_DAYS = 30;

export const Mutation = {
  eraseShipmentData: (_: unknown, args: { orderIds: string[] }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'eraseShipmentData');
    return ctx.source.eraseOrders(args.orderIds).then((records) => ({ records, system: ctx.source.privacy.erasure }));
  },
  issueReturnLabel: async (
    _: unknown,
    { input }: { input: { returnId: string; orderId: string; customerId: string; rma: string; country: string } },
    ctx: LogisticsContext,
  ) => {
    requireService(ctx.viewer, 'issueReturnLabel');
    if (!/^[A-Za-z]{2}$/.test(input.country)) throw badInput('country must be an ISO 3166-1 alpha-2 code', { argument: 'country' });
    const now = new Date();
    return ctx.source.createReturnLabel({
      id: `rl_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      returnId: input.returnId,
      orderId: input.orderId,
      customerId: input.customerId,
      carrier: returnCarrierFor(input.country),
      trackingNumber: `RT${randomBytes(6).toString('hex').toUpperCase()}`,
      labelUrl: `${ctx.config.returnLabelBaseUrl}/${encodeURIComponent(input.rma)}.pdf`,
      status: 'CREATED',
      createdAt: now,
      expiresAt: new Date(now.getTime() + LABEL_VALID_DAYS * 86_400_000),
    }, { country: input.country.toUpperCase() });
  },
  registerShipments: (_: unknown, args: { shipments: ShipmentRegistration[] }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'registerShipments');
    if (args.shipments.length > 100) throw badInput('at most 100 shipments at a time', { argument: 'shipments' });
    const parcels = args.shipments.map((s) => ({ ...s, customerId: s.customerId ?? null, trackingNumber: normalizeTrackingNumber(s.trackingNumber) }));
    if (parcels.some((p) => !/^[A-Z0-9]{4,40}$/.test(p.trackingNumber))) throw badInput('a tracking number is 4 to 40 letters and digits', { argument: 'shipments' });
    return ctx.source.registerShipments(parcels);
  },
  voidReturnLabel: (_: unknown, args: { returnId: string }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'voidReturnLabel');
    return ctx.source.voidReturnLabel(args.returnId, new Date());
  },
};
