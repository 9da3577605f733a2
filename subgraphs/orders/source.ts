import { byGraphCustomer, withGraphCustomerIds } from '../shared/identity';
import { AppError, ErrorCode } from '../shared/errors';
import { undescribed } from '../shared/privacy';
import type { OrderSource, OrderSystem } from './port';
import { requestKeyOf, type OrderRecords } from './records';

/**
 * The OMS and the graph's own records as the orders subgraph reads them: customer ids translated
 * both ways, the return policy and write keys kept by the graph, whatever the OMS.
 */
export function composeOrderSource(system: OrderSystem, records: OrderRecords): OrderSource {
  const { identities } = records;
  const graphIds = <T>(value: T) => withGraphCustomerIds(value, identities);
  const systemCustomerId = async (customerId: string) => {
    const [id] = await identities.toSystem([customerId]);
    if (!id) throw new AppError(ErrorCode.NOT_FOUND, `The ${identities.system} OMS holds no such customer`);
    return id;
  };
  return {
    getOrders: async (ids) => graphIds(await system.getOrders(ids)),
    getOrdersByNumber: async (numbers) => graphIds(await system.getOrdersByNumber(numbers)),
    listOrdersByCustomer: async (ids, first) => graphIds(await byGraphCustomer(ids, identities, (sys) => system.listOrdersByCustomer(sys, first), () => [])),
    listOrderDetailsByCustomer: async (ids, first) =>
      graphIds(await byGraphCustomer(ids, identities, (sys) => system.listOrderDetailsByCustomer(sys, first), () => [])),
    getLineItems: (ids) => system.getLineItems(ids),
    listLineItemsByOrder: (ids) => system.listLineItemsByOrder(ids),
    getReturns: async (ids) => graphIds(await system.getReturns(ids)),
    listReturnsByOrder: async (ids) => graphIds(await system.listReturnsByOrder(ids)),
    listReturnsByCustomer: async (ids, first) => graphIds(await byGraphCustomer(ids, identities, (sys) => system.listReturnsByCustomer(sys, first), () => [])),
    listReturnPolicyRules: () => records.listReturnPolicyRules(),
    countOrdersPlaced: (from, to) => system.countOrdersPlaced(from, to),
    ping: () => system.ping(),
    privacy: system.privacy ?? undescribed(identities.system),
    orderNumberFormats: system.orderNumberFormats,
    ...(system.drainChanges ? { drainChanges: system.drainChanges.bind(system) } : {}),

    findReturnByIdempotencyKey: async (key, input) => {
      const id = await records.previousReturnId(key, input);
      return id ? graphIds((await system.getReturns([id]))[0] ?? null) : null;
    },
    createReturn: async (input, key, check) => {
      const { id, replayed } = await records.onceForKey(key, input, async () => {
        const requestKey = requestKeyOf(key);
        // A first attempt the OMS took but whose answer was lost (a time-out, a crash) is not made twice.
        const made = await system.findReturnByRequestKey(input.orderId, requestKey);
        if (made) return made.id;
        const customerId = await systemCustomerId(input.customerId);
        return (await system.createReturn({ ...input, customerId }, requestKey, check)).id;
      });
      const [ret] = await system.getReturns([id]);
      if (!ret) throw new AppError(ErrorCode.BACKEND_UNAVAILABLE, 'The OMS did not answer the return it created', { service: 'orders', retryable: true });
      return { ret: await graphIds(ret), replayed };
    },
    abandonReturn: async (ret, key) => {
      await system.abandonReturn({ ...ret, customerId: await systemCustomerId(ret.customerId) });
      await records.releaseKey(key, ret.id);
    },
    exportCustomer: async (customerId) => {
      const [id] = await identities.toSystem([customerId]);
      return id ? graphIds(await system.exportCustomer(id)) : { orderIds: [], data: {} };
    },
    eraseCustomer: async (customerId, at) => {
      const [id] = await identities.toSystem([customerId]);
      return id ? system.eraseCustomer(id, at) : { records: 0, orderIds: [] };
    },
  };
}
