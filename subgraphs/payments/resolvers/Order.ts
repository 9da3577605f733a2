import type { PaymentsContext } from '../context';

// The payment service knows orders only by id: it adds their payments, refunds and disputes.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  payments: (order: { id: string }, _: unknown, ctx: PaymentsContext) => ctx.loaders.paymentsByOrder.load(order.id),
  refunds: (order: { id: string }, _: unknown, ctx: PaymentsContext) => ctx.loaders.refundsByOrder.load(order.id),
  disputes: (order: { id: string }, _: unknown, ctx: PaymentsContext) => ctx.loaders.disputesByOrder.load(order.id),
};

export const Return = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  refunds: (ret: { id: string }, _: unknown, ctx: PaymentsContext) => ctx.loaders.refundsByReturn.load(ret.id),
};
