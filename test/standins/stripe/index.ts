import Stripe from 'stripe';
import type { CustomerLink } from '../../../subgraphs/shared/identity';
import { money } from '../../../subgraphs/shared/money';
import type { Dispute, Payment, PaymentMethod, Refund } from '../../../subgraphs/payments/port';
import type { DemoData } from '../../fixtures/demo-data';
import { startStripeStandIn, TEST_PAYMENT_METHODS, testCardExpiry, type StandInOptions, type StripeStandIn } from './server';

export { startStripeStandIn, type StripeStandIn } from './server';

export interface StartedStripe {
  host: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  /** The fixtures as Stripe holds them (see loadIntoStripe). */
  held: DemoData;
  /** Each graph customer and the Stripe customer made for them (metadata.graph_customer_id). */
  links: CustomerLink[];
  standIn: StripeStandIn;
  /** Signs the event as Stripe does and posts it to `url`. */
  sendWebhook(url: string, event: Record<string, unknown>): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The SDK pointed at a stand-in, as the fixtures use it (no discipline: a test set-up, not the adapter). */
export const sdkFor = (s: { host: string; port: number; secretKey: string }) =>
  new Stripe(s.secretKey, { host: s.host, port: s.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });

/** A Stripe stand-in holding the fixtures, loaded through Stripe's own API with its SDK. */
export async function startStripe(data: DemoData, options: StandInOptions = {}): Promise<StartedStripe> {
  const standIn = await startStripeStandIn(options);
  try {
    const { held, links } = await loadIntoStripe(sdkFor(standIn), data);
    return {
      host: standIn.host, port: standIn.port, secretKey: standIn.secretKey, webhookSecret: standIn.webhookSecret, held, links, standIn,
      sendWebhook: (url, event) => standIn.sendWebhook(url, event),
      close: () => standIn.close(),
    };
  } catch (err) {
    await standIn.close();
    throw err;
  }
}

const BRAND_CARDS: Record<string, string> = { VISA: 'pm_card_visa', MASTERCARD: 'pm_card_mastercard', AMEX: 'pm_card_amex' };
const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
const at = (s: number) => new Date(s * 1000);
const cardMethod = (pm: string): PaymentMethod => {
  const card = TEST_PAYMENT_METHODS[pm];
  const { exp_month, exp_year } = testCardExpiry();
  return { type: 'CARD', brand: card.brand.toUpperCase(), last4: card.last4, expiryMonth: exp_month, expiryYear: exp_year };
};

/**
 * Creates the fixtures in Stripe through its API and answers them as Stripe holds them (`held`):
 * - ids are Stripe's (cus_, pi_, in_, re_, dp_) and times are when Stripe made the objects (it takes no `created`);
 * - a payment awaiting payment is an open invoice (send_invoice, its due date), so INVOICE whatever the
 *   fixture's method (Klarna pays the merchant at once: what a customer owes the merchant is an invoice);
 *   an INVOICE payment paid or voided is a paid (out of band) or void invoice;
 * - every other payment is a PaymentIntent on one of Stripe's test payment methods: a card is the test
 *   card of its brand (its last 4 and expiry), Apple Pay is a card (test mode makes Apple Pay only from
 *   a device wallet), and a payment whose refund must stay pending or fail, or that is disputed, is
 *   on the test card that does that (held as that VISA card); a payment method has no due date;
 * - a refund is made with reason requested_by_customer and metadata.return_id; Stripe refunds at most
 *   what it took, so a refund of an unpaid invoice is not made and one larger than the payment is capped;
 *   a pending refund counts in the payment's refunded amount (Stripe's amount_refunded), a failed one
 *   does not; Stripe gives no expected date, and a refund that succeeded completed when it was made;
 * - a dispute opens when the payment is made (its reason the test card's: fraudulent, or product not
 *   received), due for evidence when Stripe says.
 */
export async function loadIntoStripe(stripe: Stripe, data: DemoData): Promise<{ held: DemoData; links: CustomerLink[] }> {
  const cus = new Map<string, string>();
  await Promise.all(
    data.customers.map(async (c) => {
      const made = await stripe.customers.create({ email: c.email, name: `${c.firstName} ${c.lastName}`, ...(c.phone ? { phone: c.phone } : {}), metadata: { graph_customer_id: c.id } });
      cus.set(c.id, made.id);
    }),
  );
  // Customers' payments without a Stripe customer (none in the demo data) keep their graph id: not loadable.
  const payments: Payment[] = [];
  const refunds: Refund[] = [];
  const disputes: Dispute[] = [];
  const byCustomer = new Map<string, Payment[]>();
  for (const p of data.payments) byCustomer.set(p.customerId, [...(byCustomer.get(p.customerId) ?? []), p]);

  async function load(p: Payment): Promise<void> {
    const customer = cus.get(p.customerId)!;
    const myRefunds = data.refunds.filter((r) => r.paymentId === p.id).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const myDisputes = data.disputes.filter((d) => d.paymentId === p.id);
    const currency = p.amount.currency.toLowerCase();
    const metadata = { order_id: p.orderId };
    const asInvoice = p.status === 'AWAITING_PAYMENT' || (p.method.type === 'INVOICE' && !myRefunds.length && !myDisputes.length && ['CAPTURED', 'VOIDED'].includes(p.status));
    if (asInvoice) {
      const dueAt = p.dueAt ?? new Date(p.createdAt.getTime() + 30 * 86_400_000);
      const draft = await stripe.invoices.create({ customer, collection_method: 'send_invoice', due_date: seconds(dueAt), currency, metadata });
      await stripe.invoiceItems.create({ customer, invoice: draft.id, amount: p.amount.amountMinor, currency });
      let invoice = await stripe.invoices.finalizeInvoice(draft.id!);
      if (p.status === 'CAPTURED') invoice = await stripe.invoices.pay(invoice.id!, { paid_out_of_band: true });
      if (p.status === 'VOIDED') invoice = await stripe.invoices.voidInvoice(invoice.id!);
      const t = invoice.status_transitions;
      payments.push({
        ...p, id: invoice.id!, customerId: customer, method: { type: 'INVOICE', brand: null, last4: null, expiryMonth: null, expiryYear: null },
        captured: money(p.status === 'CAPTURED' ? p.amount.amountMinor : 0, p.amount.currency), refunded: money(0, p.amount.currency),
        dueAt: at(invoice.due_date!), createdAt: at(invoice.created),
        updatedAt: at(Math.max(invoice.created, t.finalized_at ?? 0, t.paid_at ?? 0, t.voided_at ?? 0)),
      });
      return;
    }
    let pm: string;
    let method: PaymentMethod;
    if (myDisputes.length) pm = myDisputes[0].reason === 'PRODUCT_NOT_RECEIVED' ? 'pm_card_createDisputeProductNotReceived' : 'pm_card_createDispute';
    else if (myRefunds.some((r) => r.status === 'PENDING')) pm = 'pm_card_pendingRefund';
    else if (myRefunds.some((r) => r.status === 'FAILED')) pm = 'pm_card_refundFail';
    else if (p.method.type === 'PAYPAL' || p.method.type === 'KLARNA_PAY_LATER') {
      const type = p.method.type === 'PAYPAL' ? 'paypal' : 'klarna';
      pm = (await stripe.paymentMethods.create({ type, billing_details: { email: data.customers.find((c) => c.id === p.customerId)?.email } })).id;
    } else pm = BRAND_CARDS[p.method.brand ?? 'VISA'] ?? 'pm_card_visa';
    if (TEST_PAYMENT_METHODS[pm]) method = cardMethod(pm);
    else method = { ...p.method, type: p.method.type === 'PAYPAL' ? 'PAYPAL' : 'KLARNA_PAY_LATER', brand: p.method.type === 'PAYPAL' ? 'PAYPAL' : null, last4: null, expiryMonth: null, expiryYear: null };
    const manual = p.status === 'AUTHORIZED' || p.status === 'VOIDED';
    const type = TEST_PAYMENT_METHODS[pm] ? 'card' : p.method.type === 'PAYPAL' ? 'paypal' : 'klarna';
    let intent = await stripe.paymentIntents.create({
      amount: p.amount.amountMinor, currency, customer, metadata, payment_method: pm, allowed_payment_method_types: [type], capture_method: manual ? 'manual' : 'automatic', confirm: true,
    });
    if (p.status === 'VOIDED') intent = await stripe.paymentIntents.cancel(intent.id);
    const taken = manual ? 0 : p.amount.amountMinor;
    let refunded = 0;
    let left = taken;
    for (const r of myRefunds) {
      const amount = Math.min(r.amount.amountMinor, left);
      if (amount <= 0) continue;
      let refund = await stripe.refunds.create({ payment_intent: intent.id, amount, reason: 'requested_by_customer', metadata: { return_id: r.returnId! } });
      // Stripe's refund-failure test card: the refund succeeds, then fails shortly after.
      for (let i = 0; r.status === 'FAILED' && refund.status !== 'failed' && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        refund = await stripe.refunds.retrieve(refund.id);
      }
      const status = r.status === 'FAILED' ? 'FAILED' : r.status === 'PENDING' ? 'PENDING' : 'SUCCEEDED';
      if (status !== 'FAILED') {
        refunded += amount;
        left -= amount;
      }
      refunds.push({
        ...r, id: refund.id, paymentId: intent.id, customerId: customer, status, amount: money(amount, r.amount.currency), reason: 'requested_by_customer',
        createdAt: at(refund.created), expectedBy: null, completedAt: status === 'SUCCEEDED' ? at(refund.created) : null,
        failureReason: status === 'FAILED' ? 'Card account closed or expired; refund could not be credited' : null,
      });
    }
    const status: Payment['status'] = p.status === 'AUTHORIZED' || p.status === 'VOIDED' ? p.status : refunded <= 0 ? 'CAPTURED' : refunded >= taken ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    payments.push({
      ...p, id: intent.id, customerId: customer, method, status, captured: money(taken, p.amount.currency), refunded: money(refunded, p.amount.currency),
      dueAt: null, createdAt: at(intent.created), updatedAt: at(intent.canceled_at ?? intent.created),
    });
    if (myDisputes.length) {
      const opened = await stripe.disputes.list({ payment_intent: intent.id });
      for (const [i, d] of myDisputes.entries()) {
        const made = opened.data[i];
        if (!made) continue;
        disputes.push({
          ...d, id: made.id, paymentId: intent.id, customerId: customer, status: 'NEEDS_RESPONSE', reason: made.reason === 'product_not_received' ? 'PRODUCT_NOT_RECEIVED' : 'FRAUDULENT',
          amount: money(made.amount, d.amount.currency), openedAt: at(made.created), respondBy: at(made.evidence_details.due_by!),
        });
      }
    }
  }
  // One customer's payments in order (their times order them); customers side by side.
  await Promise.all([...byCustomer.values()].map(async (list) => {
    for (const p of list) await load(p);
  }));
  const links = data.customers.map((c) => ({ graphCustomerId: c.id, systemCustomerId: cus.get(c.id)! }));
  return { held: { ...data, payments, refunds, disputes }, links };
}
