import { visible } from '../../shared/auth';
import type { PaymentsContext } from '../context';

// Someone else's payment, refund or dispute answers as if it did not exist.
export const Query = {
  payment: async (_: unknown, args: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.payment.load(args.id)),
  refund: async (_: unknown, args: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.refund.load(args.id)),
  dispute: async (_: unknown, args: { id: string }, ctx: PaymentsContext) => visible(ctx.viewer, await ctx.loaders.dispute.load(args.id)),
};
