import { visible } from '../../shared/auth';
import { normalizeTrackingNumber } from '../carriers';
import type { LogisticsContext } from '../context';

// Someone else's shipment or label answers as if it did not exist.
export const Query = {
  shipment: async (_: unknown, args: { id: string }, ctx: LogisticsContext) => visible(ctx.viewer, await ctx.loaders.shipment.load(args.id)),
  shipmentByTrackingNumber: async (_: unknown, args: { trackingNumber: string }, ctx: LogisticsContext) =>
    visible(ctx.viewer, await ctx.loaders.shipmentByTrackingNumber.load(normalizeTrackingNumber(args.trackingNumber))),
  returnLabel: async (_: unknown, args: { id: string }, ctx: LogisticsContext) => visible(ctx.viewer, await ctx.loaders.returnLabel.load(args.id)),
};
