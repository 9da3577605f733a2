import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import type { CustomersContext } from '../context';
import type { Handoff as HandoffModel } from '../port';

export const Handoff = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: CustomersContext) => visible(ctx.viewer, await ctx.loaders.handoff.load(ref.id)),
  customer: (handoff: HandoffModel, _: unknown, ctx: CustomersContext) => ctx.loaders.customer.load(handoff.customerId),
  order: (handoff: HandoffModel) => (handoff.orderId ? { __typename: 'Order', id: handoff.orderId } : null),
  lineItems: (handoff: HandoffModel) => handoff.lineItemIds.map((id) => ({ __typename: 'LineItem', id })),
  escalation: (handoff: HandoffModel, _: unknown, ctx: CustomersContext) => ctx.loaders.interaction.load(handoff.escalationId),
};
