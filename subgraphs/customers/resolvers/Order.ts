import { visible } from '../../shared/auth';
import type { CustomersContext } from '../context';

// The CRM knows orders only by id: it adds the contacts about each order.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  // Anyone may name any order in an interaction: only the viewer's own contacts are shown.
  interactions: async (order: { id: string }, _: unknown, ctx: CustomersContext) =>
    (await ctx.loaders.interactionsByOrder.load(order.id)).filter((i) => visible(ctx.viewer, i)),
};
