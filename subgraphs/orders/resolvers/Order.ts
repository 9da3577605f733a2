import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { formatDate, text } from '../../shared/i18n';
import type { OrdersContext } from '../context';
import type { Order as OrderModel } from '../port';
import { orderEligibility } from '../returns/eligibility';

export const Order = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: OrdersContext) => visible(ctx.viewer, await ctx.loaders.order.load(ref.id)),
  statusText: (order: OrderModel, args: { locale?: string | null }) => text('orderStatus', order.status, args.locale),
  placedOn: (order: OrderModel, args: { locale?: string | null }) => formatDate(order.placedAt, args.locale),
  customer: (order: OrderModel) => ({ __typename: 'Customer', id: order.customerId }),
  lineItems: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.lineItemsByOrder.load(order.id),
  returns: (order: OrderModel, _: unknown, ctx: OrdersContext) => ctx.loaders.returnsByOrder.load(order.id),
  returnEligibility: (order: OrderModel, _: unknown, ctx: OrdersContext) => orderEligibility(ctx, order),
};
