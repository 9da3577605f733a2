import { visible } from '../../shared/auth';
import type { PaymentsContext } from '../context';

const own = <T extends { customerId: string }>(ctx: PaymentsContext, rows: T[]) => rows.filter((row) => visible(ctx.viewer, row));

// The payment service knows orders only by id: it adds their payments, refunds and disputes. An
// order id can come from anything a caller once wrote (an interaction), so only the viewer's own show.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  payments: async (order: { id: string }, _: unknown, ctx: PaymentsContext) => own(ctx, await ctx.loaders.paymentsByOrder.load(order.id)),
  refunds: async (order: { id: string }, _: unknown, ctx: PaymentsContext) => own(ctx, await ctx.loaders.refundsByOrder.load(order.id)),
  disputes: async (order: { id: string }, _: unknown, ctx: PaymentsContext) => own(ctx, await ctx.loaders.disputesByOrder.load(order.id)),
};

export const Return = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  refunds: async (ret: { id: string }, _: unknown, ctx: PaymentsContext) => own(ctx, await ctx.loaders.refundsByReturn.load(ret.id)),
};
