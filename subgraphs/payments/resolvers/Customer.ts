import { mayRead } from '../../shared/auth';
import { pageSize } from '../../shared/loaders';
import type { PaymentsContext } from '../context';
import { isOpenDispute } from './Dispute';

export const Customer = {
  __resolveReference: (ref: { id: string }, ctx: PaymentsContext) => (mayRead(ctx.viewer, ref.id) ? { id: ref.id } : null),
  openBalances: (customer: { id: string }, _: unknown, ctx: PaymentsContext) => ctx.loaders.openBalancesByCustomer.load(customer.id),
  refunds: (customer: { id: string }, args: { first: number }, ctx: PaymentsContext) =>
    ctx.loaders.refundsByCustomer(pageSize(args.first)).load(customer.id),
  disputes: async (customer: { id: string }, args: { openOnly: boolean }, ctx: PaymentsContext) => {
    const disputes = await ctx.loaders.disputesByCustomer.load(customer.id);
    return args.openOnly ? disputes.filter(isOpenDispute) : disputes;
  },
};
