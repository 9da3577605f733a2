import type { PaymentsContext } from '../context';
import type { Refund as RefundModel } from '../port';

export const Refund = {
  __resolveReference: (ref: { id: string }, ctx: PaymentsContext) => ctx.loaders.refund.load(ref.id),
  payment: (refund: RefundModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.payment.load(refund.paymentId),
  order: (refund: RefundModel) => ({ __typename: 'Order', id: refund.orderId }),
  return: (refund: RefundModel) => (refund.returnId ? { __typename: 'Return', id: refund.returnId } : null),
};
