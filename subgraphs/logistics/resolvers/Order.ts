import { visible } from '../../shared/auth';
import type { LogisticsContext } from '../context';

// Logistics knows orders and returns only by id: it adds their parcels and labels. An order id can
// come from anything a caller once wrote (an interaction), so only the viewer's own records show.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  shipments: async (order: { id: string }, _: unknown, ctx: LogisticsContext) =>
    (await ctx.loaders.shipmentsByOrder.load(order.id)).filter((s) => visible(ctx.viewer, s)),
};

export const Return = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  labels: async (ret: { id: string }, _: unknown, ctx: LogisticsContext) =>
    (await ctx.loaders.returnLabelsByReturn.load(ret.id)).filter((l) => visible(ctx.viewer, l)),
};
