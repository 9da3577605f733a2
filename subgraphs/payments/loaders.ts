import DataLoader from 'dataloader';
import { loaderPerArgument } from '../shared/loaders';
import type { Balance, Dispute, Payment, PaymentPromise, PaymentSource, Refund } from './port';

/** One set per request: every lookup in a request is batched into one backend call per kind. */
export function createPaymentLoaders(source: PaymentSource) {
  const now = new Date(); // one "now" per request, so every balance in an answer agrees
  return {
    payment: new DataLoader<string, Payment | null>((ids) => source.getPayments(ids)),
    paymentsByOrder: new DataLoader<string, Payment[]>((ids) => source.listPaymentsByOrder(ids)),
    refund: new DataLoader<string, Refund | null>((ids) => source.getRefunds(ids)),
    refundsByOrder: new DataLoader<string, Refund[]>((ids) => source.listRefundsByOrder(ids)),
    refundsByPayment: new DataLoader<string, Refund[]>((ids) => source.listRefundsByPayment(ids)),
    refundsByReturn: new DataLoader<string, Refund[]>((ids) => source.listRefundsByReturn(ids)),
    refundsByCustomer: loaderPerArgument<Refund>((ids, first) => source.listRefundsByCustomer(ids, first)),
    dispute: new DataLoader<string, Dispute | null>((ids) => source.getDisputes(ids)),
    disputesByOrder: new DataLoader<string, Dispute[]>((ids) => source.listDisputesByOrder(ids)),
    disputesByCustomer: new DataLoader<string, Dispute[]>((ids) => source.listDisputesByCustomer(ids)),
    openBalancesByCustomer: new DataLoader<string, Balance[]>((ids) => source.listOpenBalancesByCustomer(ids, now)),
    openPromisesByCustomer: new DataLoader<string, PaymentPromise[]>((ids) => source.listOpenPromisesByCustomer(ids)),
  };
}

export type PaymentLoaders = ReturnType<typeof createPaymentLoaders>;
