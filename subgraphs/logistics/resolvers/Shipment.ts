import { CARRIERS } from '../carriers';
import type { LogisticsContext } from '../context';
import type { Shipment as ShipmentModel } from '../port';

export const Shipment = {
  __resolveReference: (ref: { id: string }, ctx: LogisticsContext) => ctx.loaders.shipment.load(ref.id),
  order: (shipment: ShipmentModel) => ({ __typename: 'Order', id: shipment.orderId }),
  carrierName: (shipment: ShipmentModel) => CARRIERS[shipment.carrier].name,
  trackingUrl: (shipment: ShipmentModel) => CARRIERS[shipment.carrier].trackingUrl(shipment.trackingNumber),
  lineItems: (shipment: ShipmentModel) => shipment.lineItemIds.map((id) => ({ __typename: 'LineItem', id })),
  events: (shipment: ShipmentModel, _: unknown, ctx: LogisticsContext) => ctx.loaders.trackingEvents.load(shipment.id),
};
