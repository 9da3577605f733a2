import { requireService } from '../../shared/auth';
import type { OrdersContext } from '../context';
import { initiateReturn, type InitiateReturnInput } from '../returns/initiate';

export const Mutation = {
  eraseOrderData: (_: unknown, args: { customerId: string }, ctx: OrdersContext) => {
    requireService(ctx.viewer, 'eraseOrderData');
    return ctx.source.eraseCustomer(args.customerId, new Date()).then((erased) => ({ ...erased, system: ctx.source.privacy.erasure }));
  },
  initiateReturn: (_: unknown, args: { input: InitiateReturnInput }, ctx: OrdersContext) => initiateReturn(ctx, args.input),
};
