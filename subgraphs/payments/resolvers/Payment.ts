import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { text } from '../../shared/i18n';
import type { PaymentsContext } from '../context';
import type { Payment as PaymentModel } from '../port';

export const Payment = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.payment.load(ref.id)),
  order: (payment: PaymentModel) => ({ __typename: 'Order', id: payment.orderId }),
  statusText: (payment: PaymentModel, args: { locale?: string | null }) => text('paymentStatus', payment.status, args.locale),
  refunds: (payment: PaymentModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.refundsByPayment.load(payment.id),
};
