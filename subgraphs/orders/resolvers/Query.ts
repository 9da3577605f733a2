import { requireRole, requireService, signIdentification, visible } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import { text } from '../../shared/i18n';
import type { OrdersContext } from '../context';
import { orderNumberReaderOf } from '../order-numbers';
import type { OrderStatus } from '../port';
import { policyFor } from '../returns/policy';
import { describePolicy } from '../returns/summary';

export const Query = {
  // Someone else's order or return answers as if it did not exist.
  order: async (_: unknown, args: { id: string }, ctx: OrdersContext) => visible(ctx.viewer, await ctx.loaders.order.load(args.id)),
  orderByNumber: async (_: unknown, args: { number: string }, ctx: OrdersContext) => {
    const number = orderNumberReaderOf(ctx.source)(args.number);
    return number ? visible(ctx.viewer, await ctx.loaders.orderByNumber.load(number)) : null;
  },
  return: async (_: unknown, args: { id: string }, ctx: OrdersContext) => visible(ctx.viewer, await ctx.loaders.return.load(args.id)),
  orderReference: async (_: unknown, args: { customerId: string; orderId: string }, ctx: OrdersContext) => {
    requireService(ctx.viewer, 'orderReference');
    const order = await ctx.loaders.order.load(args.orderId);
    if (order?.customerId !== args.customerId) return null;
    return { orderId: order.id, lineItemIds: (await ctx.loaders.lineItemsByOrder.load(order.id)).map((item) => item.id) };
  },

  identifyByOrderNumber: async (_: unknown, args: { orderNumber: string }, ctx: OrdersContext) => {
    requireRole(ctx.viewer, ['agent', 'service'], 'identify callers');
    const read = orderNumberReaderOf(ctx.source);
    const number = read(args.orderNumber);
    if (!number) throw badInput(`That is not an order number (they look like ${read.example})`, { argument: 'orderNumber' });
    const order = await ctx.loaders.orderByNumber.load(number);
    if (order?.erasedAt) return [];
    // Only what an unverified caller may hear: who (masked, by the CRM) and the order's status.
    if (!order) return [];
    const channel = ctx.viewer.kind === 'agent' ? ctx.viewer.channel : null;
    const identification = signIdentification({ customerId: order.customerId, by: 'ORDER_NUMBER', channel }, ctx.config.gatewaySecret);
    return [{ caller: { __typename: 'Caller', id: order.customerId }, order: { number: order.number, status: order.status }, identification }];
  },

  returnPolicy: async (_: unknown, args: { category: string; country: string; orderPlacedAt?: Date | null }, ctx: OrdersContext) => {
    const country = args.country.trim().toUpperCase();
    const category = args.category.trim().toLowerCase();
    if (!/^[A-Z]{2}$/.test(country)) throw badInput('country must be an ISO 3166-1 alpha-2 code such as DE', { argument: 'country' });
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(category)) throw badInput('category must be a category slug such as shoes', { argument: 'category' });
    return policyFor(await ctx.loaders.returnPolicy(), { category, country, placedAt: args.orderPlacedAt ?? new Date() });
  },
};

export const OrderStatusNote = {
  statusText: (note: { status: OrderStatus }, args: { locale?: string | null }) => text('orderStatus', note.status, args.locale),
};

export const ReturnPolicyAnswer = {
  startsFrom: () => 'DELIVERY',
  summary: describePolicy,
};
