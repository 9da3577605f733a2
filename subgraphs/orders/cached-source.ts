import { z } from 'zod';
import type { Cache } from '../shared/cache';
import { entityId, event } from '../shared/events';
import { createBatchCache, passThrough, perArgument, type TtlPolicy } from '../shared/cached';
import type { LineItem, Order, OrderDetails, OrderSource, Return } from './port';

const returnTags = (r: Return) => [`return:${r.id}`, `order:${r.orderId}`, `customer:${r.customerId}`];

/** The OMS behind the entity cache: reads cached by type and key, writes invalidate what they touch. */
export function withOrderCache(source: OrderSource, cache: Cache, ttl: TtlPolicy): OrderSource {
  const cached = createBatchCache(cache, 'orders', ttl);
  const ordersByCustomer = perArgument((first: number) =>
    cached<string, Order[]>({ type: 'CustomerOrders', key: (id) => `${first}:${id}`, tags: (os, id) => [`customer:${id}`, ...os.map((o) => `order:${o.id}`)], load: (ids) => source.listOrdersByCustomer(ids, first) }),
  );
  const detailsByCustomer = perArgument((first: number) =>
    cached<string, OrderDetails[]>({
      type: 'CustomerOrderDetails',
      key: (id) => `${first}:${id}`,
      tags: (ds, id) => [`customer:${id}`, ...ds.flatMap((d) => [`order:${d.orderId}`, ...d.returns.flatMap(returnTags)])],
      load: (ids) => source.listOrderDetailsByCustomer(ids, first),
    }),
  );
  const returnsByCustomer = perArgument((first: number) =>
    cached<string, Return[]>({ type: 'CustomerReturns', key: (id) => `${first}:${id}`, tags: (rs, id) => [`customer:${id}`, ...rs.flatMap(returnTags)], load: (ids) => source.listReturnsByCustomer(ids, first) }),
  );
  const policy = cached<string, Awaited<ReturnType<OrderSource['listReturnPolicyRules']>>>({
    type: 'ReturnPolicy', key: () => 'all', tags: () => ['return-policy'], load: async (keys) => Promise.all(keys.map(() => source.listReturnPolicyRules())),
  });
  return {
    ...passThrough(source),
    eraseCustomer: async (customerId, at) => {
      const erased = await source.eraseCustomer(customerId, at);
      await cache.invalidateTags([`customer:${customerId}`, ...erased.orderIds.map((id) => `order:${id}`)]);
      return erased;
    },
    getOrders: cached<string, Order | null>({
      type: 'Order', key: (id) => id, tags: (o, id) => [`order:${id}`, ...(o ? [`customer:${o.customerId}`] : [])], load: source.getOrders,
    }),
    getOrdersByNumber: cached<string, Order | null>({
      type: 'OrderByNumber', key: (n) => n, tags: (o, n) => (o ? [`order:${o.id}`] : [`order-number:${n}`]), load: source.getOrdersByNumber,
    }),
    listOrdersByCustomer: (ids, first) => ordersByCustomer(first)(ids),
    listOrderDetailsByCustomer: (ids, first) => detailsByCustomer(first)(ids),
    getLineItems: cached<string, LineItem | null>({
      type: 'LineItem', key: (id) => id, tags: (i, id) => (i ? [`order:${i.orderId}`] : [`line-item:${id}`]), load: source.getLineItems,
    }),
    listLineItemsByOrder: cached<string, LineItem[]>({ type: 'OrderLineItems', key: (id) => id, tags: (_, id) => [`order:${id}`], load: source.listLineItemsByOrder }),
    getReturns: cached<string, Return | null>({ type: 'Return', key: (id) => id, tags: (r, id) => (r ? returnTags(r) : [`return:${id}`]), load: source.getReturns }),
    listReturnsByOrder: cached<string, Return[]>({ type: 'OrderReturns', key: (id) => id, tags: (rs, id) => [`order:${id}`, ...rs.flatMap(returnTags)], load: source.listReturnsByOrder }),
    listReturnsByCustomer: (ids, first) => returnsByCustomer(first)(ids),
    listReturnPolicyRules: async () => (await policy(['all']))[0],
    createReturn: async (input, key, check) => {
      const created = await source.createReturn(input, key, check);
      await cache.invalidateTags(returnTags(created.ret));
      return created;
    },
    abandonReturn: async (ret, key) => {
      await source.abandonReturn(ret, key);
      await cache.invalidateTags(returnTags(ret));
    },
  };
}

/** Backend change events the OMS announces, and what each makes stale. */
export const orderEvents = {
  'order.updated': event(z.object({ orderId: entityId, customerId: entityId.optional() }), (e) => [`order:${e.orderId}`, ...(e.customerId ? [`customer:${e.customerId}`] : [])]),
  'return.updated': event(z.object({ returnId: entityId, orderId: entityId, customerId: entityId.optional() }), (e) => [
    `return:${e.returnId}`, `order:${e.orderId}`, ...(e.customerId ? [`customer:${e.customerId}`] : []),
  ]),
  'return_policy.updated': event(z.object({}), () => ['return-policy']),
};
