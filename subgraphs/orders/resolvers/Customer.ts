import { mayRead } from '../../shared/auth';
import type { GraphQLResolveInfo } from 'graphql';
import { MAX_PAGE_SIZE, pageSize, selectsAny } from '../../shared/loaders';
import { recentOrdersWithDetails } from '../loaders';
import type { OrdersContext } from '../context';
import type { OrderStatus } from '../port';

const ACTIVE_DAYS = 90;
const ACTIVE_ORDERS = 5;
/** Order fields read with the orders when asked for (OrderDetails). */
const DETAILS = ['lineItems', 'returns'];

// The OMS knows customers only by id; the CRM subgraph owns the rest of the entity.
export const Customer = {
  __resolveReference: (ref: { id: string }, ctx: OrdersContext) => (mayRead(ctx.viewer, ref.id) ? { id: ref.id } : null),
  orders: async (customer: { id: string }, args: { first: number; status?: OrderStatus[] | null }, ctx: OrdersContext, info: GraphQLResolveInfo) => {
    const first = pageSize(args.first);
    if (!args.status?.length) return recentOrdersWithDetails(ctx.loaders, customer.id, first, selectsAny(info, DETAILS));
    // A status filter is rare (a portal tab); read a wider window, then filter.
    const orders = await ctx.loaders.ordersByCustomer(MAX_PAGE_SIZE).load(customer.id);
    return orders.filter((o) => args.status!.includes(o.status)).slice(0, first);
  },
  returns: (customer: { id: string }, args: { first: number }, ctx: OrdersContext) =>
    ctx.loaders.returnsByCustomer(pageSize(args.first)).load(customer.id),
  activeOrders: async (customer: { id: string }, _: unknown, ctx: OrdersContext, info: GraphQLResolveInfo) => {
    const since = Date.now() - ACTIVE_DAYS * 86_400_000;
    const orders = await recentOrdersWithDetails(ctx.loaders, customer.id, ACTIVE_ORDERS, selectsAny(info, DETAILS));
    return orders.filter((o) => o.placedAt.getTime() >= since);
  },
};
