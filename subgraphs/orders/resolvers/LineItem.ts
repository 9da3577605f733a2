import { asOf } from '../../shared/cached';
import type { OrdersContext } from '../context';
import type { LineItem as LineItemModel } from '../port';
import { orderEligibility } from '../returns/eligibility';

export const LineItem = {
  asOf,
  __resolveReference: (ref: { id: string }, ctx: OrdersContext) => ctx.loaders.lineItem.load(ref.id),
  order: (item: LineItemModel, _: unknown, ctx: OrdersContext) => ctx.loaders.order.load(item.orderId),
  returnEligibility: async (item: LineItemModel, _: unknown, ctx: OrdersContext) => {
    const order = (await ctx.loaders.order.load(item.orderId))!;
    return (await orderEligibility(ctx, order)).find((e) => e.lineItem.id === item.id)!;
  },
};
