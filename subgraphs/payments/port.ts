import type { CustomerLinks } from '../shared/identity';
import type { ChangeFeed } from '../shared/outbox';
import type { VendorWebhook } from '../shared/webhooks';
import type { SystemPrivacy } from '../shared/privacy';
import type { Money } from '../shared/money';

export type PaymentMethodType = 'CARD' | 'PAYPAL' | 'APPLE_PAY' | 'KLARNA_PAY_LATER' | 'INVOICE' | 'GIFT_CARD';
export type PaymentStatus =
  | 'AWAITING_PAYMENT' | 'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'FAILED' | 'VOIDED';
export type RefundStatus = 'PENDING' | 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type DisputeStatus = 'NEEDS_RESPONSE' | 'UNDER_REVIEW' | 'WON' | 'LOST' | 'CLOSED';
export type DisputeReason =
  | 'FRAUDULENT' | 'PRODUCT_NOT_RECEIVED' | 'NOT_AS_DESCRIBED' | 'DUPLICATE' | 'CREDIT_NOT_PROCESSED' | 'OTHER';

/** PCI-safe by construction: there is no field that could hold a card number. */
export interface PaymentMethod {
  type: PaymentMethodType;
  brand: string | null;
  last4: string | null;
  expiryMonth: number | null;
  expiryYear: number | null;
}

export interface Payment {
  id: string;
  orderId: string;
  customerId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: Money;
  captured: Money;
  refunded: Money;
  dueAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Refund {
  id: string;
  paymentId: string;
  orderId: string;
  customerId: string;
  returnId: string | null;
  status: RefundStatus;
  amount: Money;
  reason: string | null;
  createdAt: Date;
  expectedBy: Date | null;
  completedAt: Date | null;
  failureReason: string | null;
}

export interface Dispute {
  id: string;
  paymentId: string;
  orderId: string;
  customerId: string;
  status: DisputeStatus;
  reason: DisputeReason;
  amount: Money;
  openedAt: Date;
  respondBy: Date | null;
}

export type PromiseStatus = 'OPEN' | 'KEPT' | 'BROKEN';

export interface PaymentPromise {
  id: string;
  customerId: string;
  amount: Money;
  /** YYYY-MM-DD */
  promisedFor: string;
  status: PromiseStatus;
  channel: string;
  agentId: string | null;
  note: string | null;
  createdAt: Date;
}

export interface Balance {
  customerId: string;
  currency: string;
  outstanding: Money;
  overdue: Money;
  nextDueAt: Date | null;
  paymentIds: string[];
}

/**
 * The system-of-record port: what a payment service adapter implements (the reference SQL service,
 * Stripe). Reads take a list of keys and answer in key order (null, or an empty list, for a
 * missing key). Customer ids here are the service's own: the graph maps them
 * (subgraphs/shared/identity.ts). What the graph keeps itself (promises to pay, the refunds it
 * expects for returns until the service has them, customer links) is not here: see records/.
 *
 *   const payments = new DataLoader((orderIds) => system.listPaymentsByOrder(orderIds));
 */
export interface PaymentSystem extends Partial<ChangeFeed>, CustomerLinks {
  /** How far this system's API reaches for GDPR export and erasure (said in the answers to both). */
  privacy?: SystemPrivacy;
  /** Payments by id. */
  getPayments(ids: readonly string[]): Promise<(Payment | null)[]>;
  /** Each order's payments, oldest first. */
  listPaymentsByOrder(orderIds: readonly string[]): Promise<Payment[][]>;
  /** Refunds by id. */
  getRefunds(ids: readonly string[]): Promise<(Refund | null)[]>;
  /** Each order's refunds, newest first. */
  listRefundsByOrder(orderIds: readonly string[]): Promise<Refund[][]>;
  /** Each payment's refunds, newest first. */
  listRefundsByPayment(paymentIds: readonly string[]): Promise<Refund[][]>;
  /** Each return's refunds, newest first; without it the graph finds them among the order's refunds by `returnId`. */
  listRefundsByReturn?(returnIds: readonly string[]): Promise<Refund[][]>;
  /** Each customer's most recent refunds, newest first, at most `first` each. */
  listRefundsByCustomer(customerIds: readonly string[], first: number): Promise<Refund[][]>;
  /** Disputes by id. */
  getDisputes(ids: readonly string[]): Promise<(Dispute | null)[]>;
  /** Each order's disputes, newest first. */
  listDisputesByOrder(orderIds: readonly string[]): Promise<Dispute[][]>;
  /** Each customer's disputes, newest first. */
  listDisputesByCustomer(customerIds: readonly string[]): Promise<Dispute[][]>;
  /** Each customer's open balances, one per currency, as of `now`. */
  listOpenBalancesByCustomer(customerIds: readonly string[], now: Date): Promise<Balance[][]>;
  /** Everything the payment service holds about a customer (GDPR access): payments (brand and last 4 only), refunds, disputes. */
  exportCustomer(customerId: string): Promise<Record<string, unknown>>;
  /** Erases what the service may erase of a customer (GDPR); payments and refunds are kept as bookkeeping requires. The records changed. */
  eraseCustomer(customerId: string, at: Date): Promise<number>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
  /** Its vendor's webhooks, served by the subgraph (subgraphs/shared/webhooks.ts). */
  readonly webhooks?: readonly VendorWebhook[];
}

/**
 * What the payments subgraph reads and writes: the payment service (in graph customer ids) and the
 * graph's own records together (subgraphs/payments/source.ts). Resolvers, loaders and the cache see only this.
 */
export interface PaymentSource extends Omit<PaymentSystem, keyof CustomerLinks | 'webhooks' | 'listRefundsByReturn' | 'privacy'> {
  /** The system of record's GDPR reach, named in the export and the erasure report. */
  privacy: SystemPrivacy;
  /** Each return's refunds, newest first: the service's once it has one, else the one the graph expects. */
  listRefundsByReturn(returnIds: readonly string[]): Promise<Refund[][]>;
  /** Each customer's open promises to pay, earliest date first. */
  listOpenPromisesByCustomer(customerIds: readonly string[]): Promise<PaymentPromise[][]>;
  /** Records a promise once per idempotency key; a repeat answers the first promise. */
  createPromise(promise: PaymentPromise, idempotencyKey: string): Promise<PaymentPromise>;
  /** Stores a return's expected refund unless it has one; answers the return's refund either way. */
  createExpectedRefund(refund: Refund): Promise<Refund>;
  /** Cancels a return's refund while it is still pending; false when there was none. */
  cancelPendingRefund(returnId: string): Promise<boolean>;
}
