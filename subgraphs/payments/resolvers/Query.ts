import type { PaymentsContext } from '../context';

export const Query = {
  payment: (_: unknown, args: { id: string }, ctx: PaymentsContext) => ctx.loaders.payment.load(args.id),
  refund: (_: unknown, args: { id: string }, ctx: PaymentsContext) => ctx.loaders.refund.load(args.id),
  dispute: (_: unknown, args: { id: string }, ctx: PaymentsContext) => ctx.loaders.dispute.load(args.id),
};
