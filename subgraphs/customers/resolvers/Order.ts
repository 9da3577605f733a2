import type { CustomersContext } from '../context';

// The CRM knows orders only by id: it adds the contacts about each order.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  interactions: (order: { id: string }, _: unknown, ctx: CustomersContext) => ctx.loaders.interactionsByOrder.load(order.id),
};
