import type { CustomersContext } from '../context';
import { acceptHandoff, escalate, recordInteraction, resolveHandoff } from '../conversation';
import { verifyCaller, type VerifyCallerInput } from '../verification';
import { eraseCustomer } from '../privacy';

type Input<F extends (ctx: CustomersContext, input: never) => unknown> = Parameters<F>[1];

export const Mutation = {
  verifyCaller: (_: unknown, args: { input: VerifyCallerInput }, ctx: CustomersContext) => verifyCaller(ctx, args.input),
  recordInteraction: (_: unknown, args: { input: Input<typeof recordInteraction> }, ctx: CustomersContext) => recordInteraction(ctx, args.input),
  escalate: (_: unknown, args: { input: Input<typeof escalate> }, ctx: CustomersContext) => escalate(ctx, args.input),
  acceptHandoff: (_: unknown, args: { input: Input<typeof acceptHandoff> }, ctx: CustomersContext) => acceptHandoff(ctx, args.input),
  resolveHandoff: (_: unknown, args: { input: Input<typeof resolveHandoff> }, ctx: CustomersContext) => resolveHandoff(ctx, args.input),
  eraseCustomer: (_: unknown, args: { input: Input<typeof eraseCustomer> }, ctx: CustomersContext) => eraseCustomer(ctx, args.input),
};

export const VerifiedSession = {
  customer: (session: { customerId: string }, _: unknown, ctx: CustomersContext) => ctx.loaders.customer.load(session.customerId),
};
