import { normalizeTrackingNumber } from '../carriers';
import type { LogisticsContext } from '../context';

export const Query = {
  shipment: (_: unknown, args: { id: string }, ctx: LogisticsContext) => ctx.loaders.shipment.load(args.id),
  shipmentByTrackingNumber: (_: unknown, args: { trackingNumber: string }, ctx: LogisticsContext) =>
    ctx.loaders.shipmentByTrackingNumber.load(normalizeTrackingNumber(args.trackingNumber)),
  returnLabel: (_: unknown, args: { id: string }, ctx: LogisticsContext) => ctx.loaders.returnLabel.load(args.id),
};
