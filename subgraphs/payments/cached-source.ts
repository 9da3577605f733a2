import { z } from 'zod';
import type { Cache } from '../shared/cache';
import { entityId, event } from '../shared/events';
import { createBatchCache, passThrough, perArgument, type TtlPolicy } from '../shared/cached';
import type { Balance, Dispute, Payment, PaymentPromise, PaymentSource, Refund } from './port';

const paymentTags = (p: Payment) => [`payment:${p.id}`, `order:${p.orderId}`, `customer:${p.customerId}`];
const refundTags = (r: Refund) => [`refund:${r.id}`, `payment:${r.paymentId}`, `order:${r.orderId}`, `customer:${r.customerId}`, ...(r.returnId ? [`return:${r.returnId}`] : [])];
const disputeTags = (d: Dispute) => [`dispute:${d.id}`, `order:${d.orderId}`, `customer:${d.customerId}`];
/** A list depends on its key's tag and on every element's own tags. */
const listTags = <V>(key: string, tagsOf: (v: V) => string[]) => (values: V[]) => [key, ...values.flatMap(tagsOf)];

/**
 * The payment service behind the entity cache. A balance is cached like the rest: its overdue part
 * is as of when it was read, at most its TTL ago.
 */
export function withPaymentCache(source: PaymentSource, cache: Cache, ttl: TtlPolicy): PaymentSource {
  const cached = createBatchCache(cache, 'payments', ttl);
  const refundsByCustomer = perArgument((first: number) =>
    cached<string, Refund[]>({ type: 'CustomerRefunds', key: (id) => `${first}:${id}`, tags: (rs, id) => listTags(`customer:${id}`, refundTags)(rs), load: (ids) => source.listRefundsByCustomer(ids, first) }),
  );
  const balances = cached<string, Balance[]>({
    type: 'Balance',
    key: (id) => id,
    tags: (bs, id) => [`customer:${id}`, ...bs.flatMap((b) => b.paymentIds.map((p) => `payment:${p}`))],
    load: (ids) => source.listOpenBalancesByCustomer(ids, new Date()),
  });
  return {
    ...passThrough(source),
    eraseCustomer: async (customerId, at) => {
      const erased = await source.eraseCustomer(customerId, at);
      await cache.invalidateTags([`customer:${customerId}`]);
      return erased;
    },
    getPayments: cached<string, Payment | null>({ type: 'Payment', key: (id) => id, tags: (p, id) => (p ? paymentTags(p) : [`payment:${id}`]), load: source.getPayments }),
    listPaymentsByOrder: cached<string, Payment[]>({ type: 'OrderPayments', key: (id) => id, tags: (ps, id) => listTags(`order:${id}`, paymentTags)(ps), load: source.listPaymentsByOrder }),
    getRefunds: cached<string, Refund | null>({ type: 'Refund', key: (id) => id, tags: (r, id) => (r ? refundTags(r) : [`refund:${id}`]), load: source.getRefunds }),
    listRefundsByOrder: cached<string, Refund[]>({ type: 'OrderRefunds', key: (id) => id, tags: (rs, id) => listTags(`order:${id}`, refundTags)(rs), load: source.listRefundsByOrder }),
    listRefundsByPayment: cached<string, Refund[]>({ type: 'PaymentRefunds', key: (id) => id, tags: (rs, id) => listTags(`payment:${id}`, refundTags)(rs), load: source.listRefundsByPayment }),
    listRefundsByReturn: cached<string, Refund[]>({ type: 'ReturnRefunds', key: (id) => id, tags: (rs, id) => listTags(`return:${id}`, refundTags)(rs), load: source.listRefundsByReturn }),
    listRefundsByCustomer: (ids, first) => refundsByCustomer(first)(ids),
    getDisputes: cached<string, Dispute | null>({ type: 'Dispute', key: (id) => id, tags: (d, id) => (d ? disputeTags(d) : [`dispute:${id}`]), load: source.getDisputes }),
    listDisputesByOrder: cached<string, Dispute[]>({ type: 'OrderDisputes', key: (id) => id, tags: (ds, id) => listTags(`order:${id}`, disputeTags)(ds), load: source.listDisputesByOrder }),
    listDisputesByCustomer: cached<string, Dispute[]>({ type: 'CustomerDisputes', key: (id) => id, tags: (_, id) => [`customer:${id}`], load: source.listDisputesByCustomer }),
    listOpenPromisesByCustomer: cached<string, PaymentPromise[]>({ type: 'CustomerPromises', key: (id) => id, tags: (_, id) => [`customer:${id}`], load: source.listOpenPromisesByCustomer }),
    listOpenBalancesByCustomer: (ids) => balances(ids),
    createPromise: async (promise, key) => {
      const created = await source.createPromise(promise, key);
      await cache.invalidateTags([`customer:${created.customerId}`]);
      return created;
    },
    createExpectedRefund: async (refund) => {
      const created = await source.createExpectedRefund(refund);
      await cache.invalidateTags(refundTags(created));
      return created;
    },
    cancelPendingRefund: async (returnId) => {
      const cancelled = await source.cancelPendingRefund(returnId);
      await cache.invalidateTags([`return:${returnId}`]);
      return cancelled;
    },
  };
}

/** Backend change events the payment service announces, and what each makes stale. */
export const paymentEvents = {
  'payment.updated': event(z.object({ paymentId: entityId, orderId: entityId, customerId: entityId }), (e) => [`payment:${e.paymentId}`, `order:${e.orderId}`, `customer:${e.customerId}`]),
  'refund.updated': event(z.object({ refundId: entityId, orderId: entityId, customerId: entityId, returnId: entityId.optional() }), (e) => [
    `refund:${e.refundId}`, `order:${e.orderId}`, `customer:${e.customerId}`, ...(e.returnId ? [`return:${e.returnId}`] : []),
  ]),
  'balance.updated': event(z.object({ customerId: entityId }), (e) => [`customer:${e.customerId}`]),
  'dispute.updated': event(z.object({ disputeId: entityId, orderId: entityId, customerId: entityId }), (e) => [`dispute:${e.disputeId}`, `order:${e.orderId}`, `customer:${e.customerId}`]),
};
