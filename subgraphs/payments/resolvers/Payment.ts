import type { PaymentsContext } from '../context';
import type { Payment as PaymentModel } from '../port';

export const Payment = {
  __resolveReference: (ref: { id: string }, ctx: PaymentsContext) => ctx.loaders.payment.load(ref.id),
  order: (payment: PaymentModel) => ({ __typename: 'Order', id: payment.orderId }),
  refunds: (payment: PaymentModel, _: unknown, ctx: PaymentsContext) => ctx.loaders.refundsByPayment.load(payment.id),
};
