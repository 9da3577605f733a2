import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { formatDate, text } from '../../shared/i18n';
import { CARRIERS } from '../carriers';
import type { LogisticsContext } from '../context';
import type { DeliveryException, Shipment as ShipmentModel } from '../port';

export const Shipment = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: LogisticsContext) => visible(ctx.viewer, await ctx.loaders.shipment.load(ref.id)),
  order: (shipment: ShipmentModel) => ({ __typename: 'Order', id: shipment.orderId }),
  carrierName: (shipment: ShipmentModel) => CARRIERS[shipment.carrier].name,
  statusText: (shipment: ShipmentModel, args: { locale?: string | null }) => text('shipmentStatus', shipment.status, args.locale),
  estimatedDeliveryOn: (shipment: ShipmentModel, args: { locale?: string | null }) =>
    shipment.estimatedDeliveryAt ? formatDate(shipment.estimatedDeliveryAt, args.locale) : null,
  trackingUrl: (shipment: ShipmentModel) => CARRIERS[shipment.carrier].trackingUrl(shipment.trackingNumber),
  lineItems: (shipment: ShipmentModel) => shipment.lineItemIds.map((id) => ({ __typename: 'LineItem', id })),
  events: (shipment: ShipmentModel, _: unknown, ctx: LogisticsContext) => ctx.loaders.trackingEvents.load(shipment.id),
};

export const DeliveryExceptionResolvers = {
  text: (exception: DeliveryException, args: { locale?: string | null }) => text('deliveryException', exception.kind, args.locale),
};
