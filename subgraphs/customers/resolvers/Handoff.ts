import { asOf } from '../../shared/cached';
import type { CustomersContext } from '../context';
import type { Handoff as HandoffModel } from '../port';

export const Handoff = {
  asOf,
  __resolveReference: (ref: { id: string }, ctx: CustomersContext) => ctx.loaders.handoff.load(ref.id),
  customer: (handoff: HandoffModel, _: unknown, ctx: CustomersContext) => ctx.loaders.customer.load(handoff.customerId),
  order: (handoff: HandoffModel) => (handoff.orderId ? { __typename: 'Order', id: handoff.orderId } : null),
  lineItems: (handoff: HandoffModel) => handoff.lineItemIds.map((id) => ({ __typename: 'LineItem', id })),
  escalation: (handoff: HandoffModel, _: unknown, ctx: CustomersContext) => ctx.loaders.interaction.load(handoff.escalationId),
};
