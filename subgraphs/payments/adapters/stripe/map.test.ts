import type Stripe from 'stripe';
import { createMapper, DISPUTE_REASON, DISPUTE_STATUS, PAYMENT_INTENT_STATUS, REFUND_STATUS } from './map';

const warnings: unknown[] = [];
const logger = { warn: (entry: unknown) => warnings.push(entry) } as never;
const map = createMapper({ orderMetadataKey: 'order_id', returnMetadataKey: 'return_id' }, logger);

const charge = (over: Partial<Stripe.Charge> = {}): Stripe.Charge =>
  ({ id: 'ch_1', captured: true, amount: 1000, amount_captured: 1000, amount_refunded: 0, disputed: false, payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030, wallet: null } }, ...over }) as never;
const intent = (over: Partial<Stripe.PaymentIntent> = {}): Stripe.PaymentIntent =>
  ({ id: 'pi_1', object: 'payment_intent', amount: 1000, amount_received: 1000, currency: 'eur', customer: 'cus_1', metadata: { order_id: 'ord_1' }, status: 'succeeded', created: 1_700_000_000, canceled_at: null, last_payment_error: null, payment_method_types: ['card'], latest_charge: charge(), ...over }) as never;

describe('the Stripe status table', () => {
  beforeEach(() => warnings.splice(0));

  it.each([
    ['requires_payment_method', null, false, 'AWAITING_PAYMENT'],
    ['requires_payment_method', null, true, 'FAILED'],
    ['requires_confirmation', null, false, 'AWAITING_PAYMENT'],
    ['requires_action', null, false, 'AWAITING_PAYMENT'],
    ['processing', null, false, 'AWAITING_PAYMENT'],
    ['requires_capture', charge({ captured: false, amount_captured: 0 }), false, 'AUTHORIZED'],
    ['canceled', charge({ captured: false, amount_captured: 0 }), false, 'VOIDED'],
    ['succeeded', charge(), false, 'CAPTURED'],
    ['succeeded', charge({ amount_refunded: 400 }), false, 'PARTIALLY_REFUNDED'],
    ['succeeded', charge({ amount_refunded: 1000, refunded: true }), false, 'REFUNDED'],
  ] as const)('a PaymentIntent %s (charge %#) with a failed attempt: %s → %s', (status, latest, failed, expected) => {
    const p = map.payment(intent({ status, latest_charge: latest as never, last_payment_error: (failed ? { type: 'card_error' } : null) as never }));
    expect(p?.status).toBe(expected);
  });

  it('maps every status Stripe documents and no value twice to nothing', () => {
    expect(Object.keys(PAYMENT_INTENT_STATUS).sort()).toEqual(['canceled', 'processing', 'requires_action', 'requires_capture', 'requires_confirmation', 'requires_payment_method', 'succeeded']);
    expect(REFUND_STATUS).toMatchObject({ pending: 'PENDING', succeeded: 'SUCCEEDED', failed: 'FAILED', canceled: 'CANCELLED', requires_action: 'PENDING' });
    expect(DISPUTE_STATUS).toMatchObject({ needs_response: 'NEEDS_RESPONSE', warning_needs_response: 'NEEDS_RESPONSE', under_review: 'UNDER_REVIEW', won: 'WON', lost: 'LOST', warning_closed: 'CLOSED' });
    expect(DISPUTE_REASON).toMatchObject({ fraudulent: 'FRAUDULENT', product_not_received: 'PRODUCT_NOT_RECEIVED', product_unacceptable: 'NOT_AS_DESCRIBED', duplicate: 'DUPLICATE', credit_not_processed: 'CREDIT_NOT_PROCESSED', general: 'OTHER' });
  });

  it('keeps card brand, last 4 and expiry only; a card in an Apple Pay wallet is APPLE_PAY; PayPal and Klarna by type', () => {
    expect(map.payment(intent())?.method).toEqual({ type: 'CARD', brand: 'VISA', last4: '4242', expiryMonth: 12, expiryYear: 2030 });
    const apple = charge({ payment_method_details: { type: 'card', card: { brand: 'mastercard', last4: '4444', exp_month: 1, exp_year: 2031, wallet: { type: 'apple_pay' } } } as never });
    expect(map.payment(intent({ latest_charge: apple }))?.method.type).toBe('APPLE_PAY');
    const paypal = charge({ payment_method_details: { type: 'paypal', paypal: {} } as never });
    expect(map.payment(intent({ latest_charge: paypal }))?.method).toEqual({ type: 'PAYPAL', brand: 'PAYPAL', last4: null, expiryMonth: null, expiryYear: null });
    const klarna = charge({ payment_method_details: { type: 'klarna', klarna: {} } as never });
    expect(map.payment(intent({ latest_charge: klarna }))?.method.type).toBe('KLARNA_PAY_LATER');
  });

  it('keeps an unknown value as the nearest safe one and says so once per value', () => {
    expect(map.payment(intent({ status: 'requires_teleport' as never }))?.status).toBe('AWAITING_PAYMENT');
    map.payment(intent({ status: 'requires_teleport' as never }));
    const dispute = { id: 'dp_1', status: 'pending_arbitration', reason: 'moon_phase', amount: 1000, currency: 'eur', created: 1_700_000_000, evidence_details: { due_by: null } } as never;
    expect(map.dispute(dispute, intent())).toMatchObject({ status: 'NEEDS_RESPONSE', reason: 'OTHER' });
    const refund = { id: 're_1', status: 'in_limbo', amount: 100, currency: 'eur', created: 1_700_000_000, metadata: {}, reason: null } as never;
    expect(map.refund(refund, intent())).toMatchObject({ status: 'PENDING', returnId: null });
    const odd = charge({ payment_method_details: { type: 'crypto_beads', crypto_beads: {} } as never });
    expect(map.payment(intent({ latest_charge: odd }))?.method).toMatchObject({ type: 'INVOICE', brand: 'CRYPTO_BEADS' });
    expect(warnings).toHaveLength(5);
  });

  it('a refund names its return and says why it failed; an object naming no order is not the graph’s', () => {
    const failed = { id: 're_2', status: 'failed', failure_reason: 'expired_or_canceled_card', amount: 100, currency: 'gbp', created: 1_700_000_000, metadata: { return_id: 'ret_9' }, reason: 'requested_by_customer' } as never;
    expect(map.refund(failed, intent())).toMatchObject({ status: 'FAILED', returnId: 'ret_9', failureReason: expect.stringContaining('closed'), completedAt: null, amount: { currency: 'GBP' } });
    expect(map.payment(intent({ metadata: {} }))).toBeNull();
  });

  it('an invoice is a payment by invoice: open awaits payment, paid is captured, void is voided, uncollectible failed', () => {
    const invoice = (status: string) => ({ id: 'in_1', status, amount_due: 500, amount_paid: status === 'paid' ? 500 : 0, currency: 'usd', customer: 'cus_1', metadata: { order_id: 'o' }, due_date: 1_700_100_000, created: 1_700_000_000, status_transitions: {} }) as never;
    expect(['draft', 'open', 'paid', 'void', 'uncollectible'].map((s) => map.invoicePayment(invoice(s))?.status)).toEqual(['AWAITING_PAYMENT', 'AWAITING_PAYMENT', 'CAPTURED', 'VOIDED', 'FAILED']);
    expect(map.invoicePayment(invoice('open'))).toMatchObject({ method: { type: 'INVOICE' }, dueAt: new Date(1_700_100_000_000), captured: { amountMinor: 0 } });
  });
});
