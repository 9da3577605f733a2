import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { formatDate, text } from '../../shared/i18n';
import type { OrdersContext } from '../context';
import type { Order as OrderModel } from '../port';
import { orderEligibility } from '../returns/eligibility';
import { unresolved } from './unresolved';

export const Order = {
  asOf,
  // A reference another system holds (an interaction's order) that no longer resolves is said, not
  // left for the gateway to null silently: NOT_FOUND at the reference's path, whatever else failed.
  __resolveReference: async (ref: { id: string }, ctx: OrdersContext) =>
    visible(ctx.viewer, await ctx.loaders.order.load(ref.id)) ?? unresolved('order'),
  statusText: (order: OrderModel, args: { locale?: string | null }) => text('orderStatus', order.status, args.locale),
  placedOn: (order: OrderModel, args: { locale?: string | null }) => formatDate(order.placedAt, args.locale),
  customer: (order: OrderModel) => ({ __typename: 'Customer', id: order.customerId }),
  lineItems: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.lineItemsByOrder.load(order.id),
  returns: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.returnsByOrder.load(order.id),
  returnEligibility: (order: OrderModel, _: unknown, ctx: OrdersContext) => orderEligibility(ctx, order),
};
