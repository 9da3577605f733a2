import type { OrdersContext } from '../context';
import type { Return as ReturnModel, ReturnItem } from '../port';

export const Return = {
  __resolveReference: (ref: { id: string }, ctx: OrdersContext) => ctx.loaders.return.load(ref.id),
  order: (ret: ReturnModel, _: unknown, ctx: OrdersContext) => ctx.loaders.order.load(ret.orderId),
};

export const ReturnItemResolvers = {
  lineItem: (item: ReturnItem, _: unknown, ctx: OrdersContext) => ctx.loaders.lineItem.load(item.lineItemId),
};
