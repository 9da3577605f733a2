import type { OrdersContext } from '../context';
import type { LineItem as LineItemModel } from '../port';

export const LineItem = {
  __resolveReference: (ref: { id: string }, ctx: OrdersContext) => ctx.loaders.lineItem.load(ref.id),
  order: (item: LineItemModel, _: unknown, ctx: OrdersContext) => ctx.loaders.order.load(item.orderId),
};
