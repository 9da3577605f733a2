import { undescribed } from '../shared/privacy';
import { byGraphCustomer, withGraphCustomerIds } from '../shared/identity';
import type { PaymentSource, PaymentSystem, Refund } from './port';
import type { PaymentRecords } from './records';

const newestFirst = (a: Refund, b: Refund) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

/**
 * The service's refunds with the graph's expected ones for returns the service has no refund for
 * yet: once the service has it (its `returnId` set, from Stripe's metadata for instance), the
 * expectation gives way to the real thing.
 */
function withExpected(service: Refund[], expected: Refund[]): Refund[] {
  if (!expected.length) return service;
  const refunded = new Set(service.map((r) => r.returnId).filter(Boolean));
  return [...service, ...expected.filter((r) => !refunded.has(r.returnId))].sort(newestFirst);
}

/**
 * The payment service and the graph's own records as the payments subgraph reads them: customer
 * ids translated both ways, promises to pay and expected refunds kept by the graph.
 */
export function composePaymentSource(system: PaymentSystem, records: PaymentRecords): PaymentSource {
  const { identities } = records;
  const graphIds = <T>(value: T) => withGraphCustomerIds(value, identities);
  const systemRefundsOfReturns = async (returnIds: readonly string[], expected: Refund[][]): Promise<Refund[][]> => {
    if (system.listRefundsByReturn) return graphIds(await system.listRefundsByReturn(returnIds));
    // The service cannot list by return: the return's order's refunds that name it.
    const orderIds = [...new Set(expected.flat().map((r) => r.orderId))];
    const byOrder = orderIds.length ? (await system.listRefundsByOrder(orderIds)).flat() : [];
    return graphIds(returnIds.map((id) => byOrder.filter((r) => r.returnId === id)));
  };
  return {
    getPayments: async (ids) => graphIds(await system.getPayments(ids)),
    listPaymentsByOrder: async (ids) => graphIds(await system.listPaymentsByOrder(ids)),
    getRefunds: async (ids) => {
      const own = await records.getExpectedRefunds(ids);
      const rest = ids.filter((_, i) => !own[i]);
      const service = rest.length ? new Map((await graphIds(await system.getRefunds(rest))).map((r, i) => [rest[i], r])) : new Map();
      return ids.map((id, i) => own[i] ?? service.get(id) ?? null);
    },
    listRefundsByOrder: async (ids) => {
      const [service, expected] = await Promise.all([system.listRefundsByOrder(ids).then(graphIds), records.listExpectedRefunds('orderId', ids)]);
      return service.map((list, i) => withExpected(list, expected[i]));
    },
    listRefundsByPayment: async (ids) => {
      const [service, expected] = await Promise.all([system.listRefundsByPayment(ids).then(graphIds), records.listExpectedRefunds('paymentId', ids)]);
      return service.map((list, i) => withExpected(list, expected[i]));
    },
    listRefundsByReturn: async (ids) => {
      const expected = await records.listExpectedRefunds('returnId', ids);
      const service = await systemRefundsOfReturns(ids, expected);
      return service.map((list, i) => withExpected(list, expected[i]));
    },
    listRefundsByCustomer: async (ids, first) => {
      const [service, expected] = await Promise.all([
        byGraphCustomer(ids, identities, (sys) => system.listRefundsByCustomer(sys, first), () => []).then(graphIds),
        records.listExpectedRefunds('customerId', ids),
      ]);
      return service.map((list, i) => withExpected(list, expected[i]).slice(0, first));
    },
    getDisputes: async (ids) => graphIds(await system.getDisputes(ids)),
    listDisputesByOrder: async (ids) => graphIds(await system.listDisputesByOrder(ids)),
    listDisputesByCustomer: async (ids) => graphIds(await byGraphCustomer(ids, identities, (sys) => system.listDisputesByCustomer(sys), () => [])),
    listOpenBalancesByCustomer: async (ids, now) => graphIds(await byGraphCustomer(ids, identities, (sys) => system.listOpenBalancesByCustomer(sys, now), () => [])),
    listOpenPromisesByCustomer: (ids) => records.listOpenPromises(ids),
    createPromise: (promise, key) => records.createPromise(promise, key),
    createExpectedRefund: async (refund) => {
      // The service may have refunded the return already (an agent in its dashboard): that is the answer.
      const [service] = await systemRefundsOfReturns([refund.returnId!], [[refund]]);
      return service[0] ?? records.expectRefund(refund);
    },
    cancelPendingRefund: (returnId) => records.cancelExpectedRefund(returnId),
    exportCustomer: async (customerId) => {
      const [id] = await identities.toSystem([customerId]);
      const [service, own] = await Promise.all([id ? system.exportCustomer(id).then(graphIds) : {}, records.exportCustomer(customerId)]);
      return { ...service, ...own };
    },
    eraseCustomer: async (customerId, at) => {
      const [id] = await identities.toSystem([customerId]);
      return (await records.eraseCustomer(customerId)) + (id ? await system.eraseCustomer(id, at) : 0);
    },
    drainChanges: async (deliver, limit) => (await records.drainChanges(deliver, limit)) + ((await system.drainChanges?.(deliver, limit)) ?? 0),
    ping: () => system.ping(),
    privacy: system.privacy ?? undescribed(identities.system),
  };
}
