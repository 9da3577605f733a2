import type { LogisticsContext } from '../context';

// Logistics knows orders and returns only by id: it adds their parcels and labels.
export const Order = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  shipments: (order: { id: string }, _: unknown, ctx: LogisticsContext) => ctx.loaders.shipmentsByOrder.load(order.id),
};

export const Return = {
  __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  labels: (ret: { id: string }, _: unknown, ctx: LogisticsContext) => ctx.loaders.returnLabelsByReturn.load(ret.id),
};
