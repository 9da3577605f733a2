import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { formatDate, text } from '../../shared/i18n';
import type { PaymentsContext } from '../context';
import type { Refund as RefundModel } from '../port';

export const Refund = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.refund.load(ref.id)),
  payment: (refund: RefundModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.payment.load(refund.paymentId),
  order: (refund: RefundModel) => ({ __typename: 'Order', id: refund.orderId }),
  statusText: (refund: RefundModel, args: { locale?: string | null }) => text('refundStatus', refund.status, args.locale),
  expectedOn: (refund: RefundModel, args: { locale?: string | null }) => (refund.expectedBy ? formatDate(refund.expectedBy, args.locale) : null),
  return: (refund: RefundModel) => (refund.returnId ? { __typename: 'Return', id: refund.returnId } : null),
};
