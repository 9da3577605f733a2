import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import type { OrdersContext } from '../context';
import type { LineItem as LineItemModel } from '../port';
import { orderEligibility } from '../returns/eligibility';
import { unresolved } from './unresolved';

export const LineItem = {
  asOf,
  // A line item id can come from anything a caller once wrote (a handoff): its order says whose it is.
  __resolveReference: async (ref: { id: string }, ctx: OrdersContext) => {
    const item = await ctx.loaders.lineItem.load(ref.id);
    return item && visible(ctx.viewer, await ctx.loaders.order.load(item.orderId)) ? item : unresolved('line item');
  },
  order: (item: LineItemModel, _: unknown, ctx: OrdersContext) => ctx.loaders.order.load(item.orderId),
  returnEligibility: async (item: LineItemModel, _: unknown, ctx: OrdersContext) => {
    const order = (await ctx.loaders.order.load(item.orderId))!;
    return (await orderEligibility(ctx, order)).find((e) => e.lineItem.id === item.id)!;
  },
};
