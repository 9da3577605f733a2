import DataLoader from 'dataloader';
import { loaderPerArgument, once } from '../shared/loaders';
import type { LineItem, Order, OrderSource, Return } from './port';

/** One set per request: every entity lookup in a request is batched into one backend call per kind. */
export function createOrderLoaders(source: OrderSource) {
  return {
    order: new DataLoader<string, Order | null>((ids) => source.getOrders(ids)),
    orderByNumber: new DataLoader<string, Order | null>((numbers) => source.getOrdersByNumber(numbers)),
    ordersByCustomer: loaderPerArgument<Order>((ids, first) => source.listOrdersByCustomer(ids, first)),
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
