import type { OrdersContext } from '../context';
import { initiateReturn, type InitiateReturnInput } from '../returns/initiate';

export const Mutation = {
  initiateReturn: (_: unknown, args: { input: InitiateReturnInput }, ctx: OrdersContext) => initiateReturn(ctx, args.input),
};
