import type { OrdersContext } from '../context';
import type { Order as OrderModel } from '../port';

export const Order = {
  __resolveReference: (ref: { id: string }, ctx: OrdersContext) => ctx.loaders.order.load(ref.id),
  customer: (order: OrderModel) => ({ __typename: 'Customer', id: order.customerId }),
  lineItems: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.lineItemsByOrder.load(order.id),
  returns: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.returnsByOrder.load(order.id),
};
