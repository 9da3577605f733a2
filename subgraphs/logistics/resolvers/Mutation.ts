import { randomBytes, randomUUID } from 'node:crypto';
import { requireService } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import { returnCarrierFor } from '../carriers';
import type { LogisticsContext } from '../context';

const LABEL_VALID_DAYS = 30;

export const Mutation = {
  eraseShipmentData: (_: unknown, args: { orderIds: string[] }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'eraseShipmentData');
    return ctx.source.eraseOrders(args.orderIds);
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
  voidReturnLabel: (_: unknown, args: { returnId: string }, ctx: LogisticsContext) => {
    requireService(ctx.viewer, 'voidReturnLabel');
    return ctx.source.voidReturnLabel(args.returnId, new Date());
  },
};
