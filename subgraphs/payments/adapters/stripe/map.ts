import type Stripe from 'stripe';
import type { Logger } from '../../../shared/logger';
import { money } from '../../../shared/money';
import type { Dispute, DisputeReason, DisputeStatus, Payment, PaymentMethod, PaymentMethodType, PaymentStatus, Refund, RefundStatus } from '../../port';

/**
 * The one status table: every status and reason Stripe documents, mapped onto the graph's. A value
 * Stripe adds later is kept as the nearest safe value (UNKNOWN_AS) and logged once per value.
 */
export const PAYMENT_INTENT_STATUS: Record<Stripe.PaymentIntent.Status, PaymentStatus | 'BY_CHARGE' | 'BY_ERROR'> = {
  requires_payment_method: 'BY_ERROR', // AWAITING_PAYMENT, or FAILED after a failed attempt (last_payment_error)
  requires_confirmation: 'AWAITING_PAYMENT',
  requires_action: 'AWAITING_PAYMENT',
  processing: 'AWAITING_PAYMENT', // the money is not ours yet
  requires_capture: 'AUTHORIZED',
  succeeded: 'BY_CHARGE', // CAPTURED, PARTIALLY_REFUNDED or REFUNDED by the latest charge's amount_refunded
  canceled: 'VOIDED',
};
export const INVOICE_STATUS: Record<Stripe.Invoice.Status, PaymentStatus> = {
  draft: 'AWAITING_PAYMENT',
  open: 'AWAITING_PAYMENT',
  paid: 'CAPTURED',
  uncollectible: 'FAILED',
  void: 'VOIDED',
};
export const REFUND_STATUS: Record<string, RefundStatus> = {
  pending: 'PENDING',
  requires_action: 'PENDING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  canceled: 'CANCELLED',
};
export const REFUND_FAILURE: Record<string, string> = {
  lost_or_stolen_card: 'The card was reported lost or stolen; the refund could not be credited',
  expired_or_canceled_card: 'Card account closed or expired; refund could not be credited',
  charge_for_pending_refund_disputed: 'The payment was disputed while the refund was pending',
  insufficient_funds: 'The account had insufficient funds for the refund',
  declined: 'The card issuer declined the refund',
  merchant_request: 'The refund was cancelled on request',
  unknown: 'The refund failed for a reason the bank did not give',
};
export const DISPUTE_STATUS: Record<Stripe.Dispute.Status | 'charge_refunded', DisputeStatus> = {
  warning_needs_response: 'NEEDS_RESPONSE',
  needs_response: 'NEEDS_RESPONSE',
  warning_under_review: 'UNDER_REVIEW',
  under_review: 'UNDER_REVIEW',
  won: 'WON',
  lost: 'LOST',
  warning_closed: 'CLOSED',
  charge_refunded: 'CLOSED',
  prevented: 'CLOSED',
  appeal_needs_response: 'NEEDS_RESPONSE',
  appeal_under_review: 'UNDER_REVIEW',
};
export const DISPUTE_REASON: Record<string, DisputeReason> = {
  fraudulent: 'FRAUDULENT',
  unrecognized: 'FRAUDULENT',
  product_not_received: 'PRODUCT_NOT_RECEIVED',
  product_unacceptable: 'NOT_AS_DESCRIBED',
  duplicate: 'DUPLICATE',
  credit_not_processed: 'CREDIT_NOT_PROCESSED',
  subscription_canceled: 'OTHER',
  bank_cannot_process: 'OTHER',
  check_returned: 'OTHER',
  customer_initiated: 'OTHER',
  debit_not_authorized: 'OTHER',
  general: 'OTHER',
  incorrect_account_details: 'OTHER',
  insufficient_funds: 'OTHER',
  noncompliant: 'OTHER',
};
/** Payment method types by family; a card's wallet says Apple Pay. */
export const METHOD_TYPE: Record<string, PaymentMethodType> = {
  card: 'CARD',
  card_present: 'CARD',
  link: 'CARD',
  paypal: 'PAYPAL',
  klarna: 'KLARNA_PAY_LATER',
  affirm: 'KLARNA_PAY_LATER',
  afterpay_clearpay: 'KLARNA_PAY_LATER',
  customer_balance: 'INVOICE',
  sepa_debit: 'INVOICE',
  us_bank_account: 'INVOICE',
  bacs_debit: 'INVOICE',
  acss_debit: 'INVOICE',
  au_becs_debit: 'INVOICE',
  ideal: 'INVOICE',
  sofort: 'INVOICE',
  bancontact: 'INVOICE',
  giropay: 'INVOICE',
  eps: 'INVOICE',
  p24: 'INVOICE',
};
/** Where Stripe sends a value this table does not know: what claims least (no money taken, nothing settled). */
export const UNKNOWN_AS = {
  paymentStatus: 'AWAITING_PAYMENT',
  refundStatus: 'PENDING',
  disputeStatus: 'NEEDS_RESPONSE', // an agent looks rather than a deadline passing unseen
  disputeReason: 'OTHER',
  methodType: 'INVOICE', // with the vendor's type kept as the brand
} as const;

export interface MapSettings {
  orderMetadataKey: string;
  returnMetadataKey: string;
}

const at = (seconds: number) => new Date(seconds * 1000);
const idOf = (value: string | { id: string } | null | undefined) => (value === null || value === undefined ? null : typeof value === 'string' ? value : value.id);

/** Vendor shapes to domain records; unknown values logged once each. */
export function createMapper(settings: MapSettings, logger: Logger) {
  const reported = new Set<string>();
  const known = <K extends string, V>(table: Record<K, V>, kind: keyof typeof UNKNOWN_AS, value: string | null | undefined): V => {
    if (value && value in table) return table[value as K];
    if (!reported.has(`${kind}:${value}`)) {
      reported.add(`${kind}:${value}`);
      logger.warn({ vendor: 'stripe', kind, value, keptAs: UNKNOWN_AS[kind] }, 'Stripe value the status table does not know');
    }
    return UNKNOWN_AS[kind] as V;
  };

  /** Brand, last 4 and expiry of a card; never more (Stripe never answers a card number either). */
  function method(details: Stripe.Charge.PaymentMethodDetails | null | undefined, fallbackType: string | undefined): PaymentMethod {
    const type = details?.type ?? fallbackType;
    if (!type) return { type: UNKNOWN_AS.methodType, brand: null, last4: null, expiryMonth: null, expiryYear: null };
    if (details?.card) {
      const card = details.card;
      return {
        type: card.wallet?.type === 'apple_pay' ? 'APPLE_PAY' : 'CARD',
        brand: card.brand && card.brand !== 'unknown' ? card.brand.toUpperCase() : null,
        last4: card.last4 ?? null,
        expiryMonth: card.exp_month ?? null,
        expiryYear: card.exp_year ?? null,
      };
    }
    const mapped = known(METHOD_TYPE, 'methodType', type);
    // PayPal is its own brand; a pay-later or bank rail other than Klarna keeps Stripe's name for it.
    const brand = type === 'paypal' ? 'PAYPAL' : type === 'klarna' ? null : type.toUpperCase();
    return { type: mapped, brand, last4: null, expiryMonth: null, expiryYear: null };
  }

  function paymentStatus(intent: Stripe.PaymentIntent, charge: Stripe.Charge | null): PaymentStatus {
    const rule = known(PAYMENT_INTENT_STATUS, 'paymentStatus', intent.status);
    if (rule === 'BY_ERROR') return intent.last_payment_error ? 'FAILED' : 'AWAITING_PAYMENT';
    if (rule !== 'BY_CHARGE') return rule;
    const refunded = charge?.captured ? charge.amount_refunded : 0;
    if (refunded <= 0) return 'CAPTURED';
    return refunded >= (charge!.amount_captured ?? intent.amount_received) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  }

  const orderOf = (metadata: Stripe.Metadata | null | undefined) => metadata?.[settings.orderMetadataKey] ?? null;

  return {
    orderOf,
    /** A PaymentIntent with its latest charge expanded; null when it names no order (not one of the graph's). */
    payment(intent: Stripe.PaymentIntent): Payment | null {
      const orderId = orderOf(intent.metadata);
      const customerId = idOf(intent.customer as string | { id: string } | null);
      if (!orderId || !customerId) return null;
      const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
      const currency = intent.currency.toUpperCase();
      const captured = charge?.captured ? charge.amount_captured : intent.amount_received;
      return {
        id: intent.id,
        orderId,
        customerId,
        method: method(charge?.payment_method_details, intent.payment_method_types?.[0]),
        status: paymentStatus(intent, charge),
        amount: money(intent.amount, currency),
        captured: money(captured, currency),
        refunded: money(charge?.captured ? charge.amount_refunded : 0, currency),
        dueAt: null,
        createdAt: at(intent.created),
        // Stripe keeps no "updated" time: the last moment it says something happened.
        updatedAt: at(intent.canceled_at ?? intent.created),
      };
    },
    /** An invoice is a payment by invoice: amount due, paid so far, due date. */
    invoicePayment(invoice: Stripe.Invoice): Payment | null {
      const orderId = orderOf(invoice.metadata);
      const customerId = idOf(invoice.customer as string | { id: string } | null);
      if (!orderId || !customerId) return null;
      const currency = invoice.currency.toUpperCase();
      const t = invoice.status_transitions;
      return {
        id: invoice.id!,
        orderId,
        customerId,
        method: { type: 'INVOICE', brand: null, last4: null, expiryMonth: null, expiryYear: null },
        status: known(INVOICE_STATUS, 'paymentStatus', invoice.status),
        amount: money(invoice.amount_due, currency),
        captured: money(invoice.amount_paid, currency),
        refunded: money(0, currency),
        dueAt: invoice.due_date ? at(invoice.due_date) : null,
        createdAt: at(invoice.created),
        updatedAt: at(Math.max(invoice.created, t?.finalized_at ?? 0, t?.paid_at ?? 0, t?.voided_at ?? 0, t?.marked_uncollectible_at ?? 0)),
      };
    },
    /** A refund with its PaymentIntent (for the order and the customer). */
    refund(refund: Stripe.Refund, intent: Stripe.PaymentIntent): Refund | null {
      const orderId = orderOf(intent.metadata);
      const customerId = idOf(intent.customer as string | { id: string } | null);
      if (!orderId || !customerId) return null;
      const status = known(REFUND_STATUS, 'refundStatus', refund.status);
      return {
        id: refund.id,
        paymentId: intent.id,
        orderId,
        customerId,
        returnId: refund.metadata?.[settings.returnMetadataKey] ?? null,
        status,
        amount: money(refund.amount, refund.currency.toUpperCase()),
        reason: refund.reason ?? null,
        createdAt: at(refund.created),
        // Stripe gives no expected date; a card refund succeeds when Stripe submits it, which is when it was made.
        expectedBy: null,
        completedAt: status === 'SUCCEEDED' ? at(refund.created) : null,
        failureReason: status === 'FAILED' ? (REFUND_FAILURE[refund.failure_reason ?? 'unknown'] ?? REFUND_FAILURE.unknown) : null,
      };
    },
    dispute(dispute: Stripe.Dispute, intent: Stripe.PaymentIntent): Dispute | null {
      const orderId = orderOf(intent.metadata);
      const customerId = idOf(intent.customer as string | { id: string } | null);
      if (!orderId || !customerId) return null;
      return {
        id: dispute.id,
        paymentId: intent.id,
        orderId,
        customerId,
        status: known(DISPUTE_STATUS, 'disputeStatus', dispute.status),
        reason: known(DISPUTE_REASON, 'disputeReason', dispute.reason),
        amount: money(dispute.amount, dispute.currency.toUpperCase()),
        openedAt: at(dispute.created),
        respondBy: dispute.evidence_details?.due_by ? at(dispute.evidence_details.due_by) : null,
      };
    },
  };
}
export type StripeMapper = ReturnType<typeof createMapper>;
