import DataLoader from 'dataloader';
import { loaderPerArgument, once } from '../shared/loaders';
import type { LineItem, Order, OrderDetails, OrderSource, Return } from './port';

/** One set per request: every entity lookup in a request is batched into one backend call per kind. */
export function createOrderLoaders(source: OrderSource) {
  return {
    order: new DataLoader<string, Order | null>((ids) => source.getOrders(ids)),
    orderByNumber: new DataLoader<string, Order | null>((numbers) => source.getOrdersByNumber(numbers)),
    ordersByCustomer: loaderPerArgument<Order>((ids, first) => source.listOrdersByCustomer(ids, first)),
    orderDetailsByCustomer: loaderPerArgument<OrderDetails>((ids, first) => source.listOrderDetailsByCustomer(ids, first)),
    lineItem: new DataLoader<string, LineItem | null>((ids) => source.getLineItems(ids)),
    lineItemsByOrder: new DataLoader<string, LineItem[]>((ids) => source.listLineItemsByOrder(ids)),
    return: new DataLoader<string, Return | null>((ids) => source.getReturns(ids)),
    returnsByOrder: new DataLoader<string, Return[]>((ids) => source.listReturnsByOrder(ids)),
    returnsByCustomer: loaderPerArgument<Return>((ids, first) => source.listReturnsByCustomer(ids, first)),
    /** The whole return policy, read at most once per request. */
    returnPolicy: once(() => source.listReturnPolicyRules()),
  };
}

export type OrderLoaders = ReturnType<typeof createOrderLoaders>;

/**
 * A customer's latest orders, with their line items and returns read at the same time (when the
 * query asks for them) and handed to the per-order loaders: one backend round trip, not two.
 */
export async function recentOrdersWithDetails(loaders: OrderLoaders, customerId: string, first: number, withDetails: boolean): Promise<Order[]> {
  const [orders, details] = await Promise.all([
    loaders.ordersByCustomer(first).load(customerId),
    // If this read fails, the per-order loaders read on their own.
    withDetails ? loaders.orderDetailsByCustomer(first).load(customerId).catch(() => []) : [],
  ]);
  for (const d of details) {
    loaders.lineItemsByOrder.prime(d.orderId, d.lineItems);
    loaders.returnsByOrder.prime(d.orderId, d.returns);
  }
  return orders;
}
