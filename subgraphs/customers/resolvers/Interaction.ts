import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import type { CustomersContext } from '../context';
import type { Interaction as InteractionModel } from '../port';

export const Interaction = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: CustomersContext) => visible(ctx.viewer, await ctx.loaders.interaction.load(ref.id)),
  customer: (interaction: InteractionModel, _: unknown, ctx: CustomersContext) => ctx.loaders.customer.load(interaction.customerId),
  order: (interaction: InteractionModel) => (interaction.orderId ? { __typename: 'Order', id: interaction.orderId } : null),
  lineItems: (interaction: InteractionModel) => interaction.lineItemIds.map((id) => ({ __typename: 'LineItem', id })),
};
