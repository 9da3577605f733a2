import type { CustomersContext } from '../context';

export const Query = {
  customer: (_: unknown, args: { id: string }, ctx: CustomersContext) => ctx.loaders.customer.load(args.id),
  interaction: (_: unknown, args: { id: string }, ctx: CustomersContext) => ctx.loaders.interaction.load(args.id),
};
