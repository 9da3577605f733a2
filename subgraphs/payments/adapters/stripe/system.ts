import type Stripe from 'stripe';
import { byKey, chunks, distinct, groupByKey } from '../../../shared/batch';
import { money } from '../../../shared/money';
import { soleOwners } from '../../../shared/identity';
import type { Balance, Dispute, Payment, PaymentSystem, Refund } from '../../port';
import type { StripeClient } from './client';
import type { StripeMapper } from './map';

/** Stripe's search takes at most 10 clauses per query. */
export const MAX_SEARCH_CLAUSES = 10;
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const CHARGE_EXPAND = ['data.refunds', 'data.payment_intent'];

const oldestFirst = <V extends { id: string; createdAt: Date }>(a: V, b: V) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const newestFirstBy = <V extends { id: string }>(at: (v: V) => Date) => (a: V, b: V) => at(b).getTime() - at(a).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const newestRefunds = newestFirstBy<Refund>((r) => r.createdAt);
const newestDisputes = newestFirstBy<Dispute>((d) => d.openedAt);
const present = <T>(values: (T | null)[]): T[] => values.filter((v): v is T => v !== null);

export interface StripeSystemSettings {
  customerMetadataKey: string;
  orderMetadataKey: string;
}

/**
 * Stripe as the payment system: payments are PaymentIntents (card brand, last 4 and expiry from the
 * latest charge) and invoices (an open invoice is a payment awaiting its due date), found by order
 * through `metadata.<orderMetadataKey>` and by customer with Stripe's own customer ids.
 *
 * Reads by order go through Stripe's search, which is eventually consistent: a PaymentIntent or
 * invoice written in the last minute or so may not be found by order yet (reads by id, by customer
 * and of balances use lists and retrievals, which are not).
 */
export function createStripeSystem(client: StripeClient, map: StripeMapper, settings: StripeSystemSettings): Omit<PaymentSystem, 'webhooks'> {
  const { stripe } = client;
  // An email Stripe's search language can quote as it is.
  const SEARCHABLE_EMAIL = /^[^\s'"\\]{3,254}$/;
  const metadataQuery = (key: string, values: readonly string[]) => values.map((v) => `metadata['${key}']:'${v}'`).join(' OR ');
  /** The keys worth asking Stripe about, in slices of Stripe's clause limit. */
  const slices = (keys: readonly string[], prefix?: string) => [...chunks(distinct(keys).filter((k) => SAFE_ID.test(k) && (!prefix || k.startsWith(prefix))), MAX_SEARCH_CLAUSES)];

  async function intentsByOrder(orderIds: readonly string[]): Promise<Stripe.PaymentIntent[]> {
    const pages = await Promise.all(
      slices(orderIds).map((slice) =>
        client.search('paymentIntents.search', (page, options) =>
          stripe.paymentIntents.search({ ...page, query: metadataQuery(settings.orderMetadataKey, slice), expand: ['data.latest_charge'] }, options),
        ),
      ),
    );
    return pages.flat();
  }
  async function invoicesByOrder(orderIds: readonly string[]): Promise<Stripe.Invoice[]> {
    const pages = await Promise.all(
      slices(orderIds).map((slice) =>
        client.search('invoices.search', (page, options) => stripe.invoices.search({ ...page, query: metadataQuery(settings.orderMetadataKey, slice) }, options)),
      ),
    );
    return pages.flat();
  }
  async function paymentsByOrder(orderIds: readonly string[]): Promise<Payment[]> {
    const [intents, invoices] = await Promise.all([intentsByOrder(orderIds), invoicesByOrder(orderIds)]);
    return [...present(intents.map(map.payment)), ...present(invoices.map(map.invoicePayment))];
  }

  /** The charges a list call answers, with their refunds and PaymentIntents expanded. */
  const charges = (op: string, params: Stripe.ChargeListParams) =>
    client.list<Stripe.Charge>(op, (page, options) => stripe.charges.list({ ...params, ...page, expand: CHARGE_EXPAND }, options));

  /** The refunds of charges: the ones the charge carries, the rest of a long list asked for. */
  async function refundsOf(list: Stripe.Charge[]): Promise<Refund[]> {
    const perCharge = await Promise.all(
      list.map(async (charge) => {
        const intent = charge.payment_intent;
        if (!intent || typeof intent === 'string') return [];
        const refunds = charge.refunds?.has_more
          ? await client.list<Stripe.Refund>('refunds.list', (page, options) => stripe.refunds.list({ ...page, charge: charge.id }, options))
          : (charge.refunds?.data ?? []);
        return present(refunds.map((r) => map.refund(r, intent)));
      }),
    );
    return perCharge.flat();
  }
  const refundsOfPayments = async (paymentIds: readonly string[]) =>
    (await Promise.all(distinct(paymentIds).filter((id) => SAFE_ID.test(id) && id.startsWith('pi_')).map((id) => charges('charges.list', { payment_intent: id }).then(refundsOf)))).flat();

  async function disputesOf(list: Stripe.Charge[]): Promise<Dispute[]> {
    const disputed = list.filter((c) => c.disputed);
    const found = await Promise.all(
      disputed.map((charge) =>
        client.list<Stripe.Dispute>('disputes.list', (page, options) => stripe.disputes.list({ ...page, charge: charge.id, expand: ['data.payment_intent'] }, options)),
      ),
    );
    return present(found.flat().map((d) => (typeof d.payment_intent === 'object' && d.payment_intent ? map.dispute(d, d.payment_intent) : null)));
  }

  const perCustomer = <T>(customerIds: readonly string[], read: (id: string) => Promise<T[]>): Promise<T[][]> =>
    Promise.all(customerIds.map((id) => (SAFE_ID.test(id) && id.startsWith('cus_') ? read(id) : Promise.resolve([]))));
  const once = <T>(read: (id: string) => Promise<T[]>) => {
    const seen = new Map<string, Promise<T[]>>();
    return (id: string) => seen.get(id) ?? (seen.set(id, read(id)), seen.get(id)!);
  };
  const chargesOfCustomer = (id: string) => charges('charges.list', { customer: id });

  async function balances(customerId: string, now: Date): Promise<Balance[]> {
    const open = await client.list<Stripe.Invoice>('invoices.list', (page, options) => stripe.invoices.list({ ...page, customer: customerId, status: 'open' }, options));
    const currencies = [...new Set(open.map((i) => i.currency.toUpperCase()))].sort();
    return currencies.map((currency) => {
      const mine = open
        .filter((i) => i.currency.toUpperCase() === currency)
        .sort((a, b) => (a.due_date ?? Infinity) - (b.due_date ?? Infinity) || (a.id! < b.id! ? -1 : 1));
      const due = mine.filter((i) => i.due_date !== null && i.due_date * 1000 < now.getTime());
      const firstDue = mine.find((i) => i.due_date !== null);
      return {
        customerId,
        currency,
        outstanding: money(mine.reduce((s, i) => s + i.amount_remaining, 0), currency),
        // Past its due date and still open: overdue.
        overdue: money(due.reduce((s, i) => s + i.amount_remaining, 0), currency),
        nextDueAt: firstDue ? new Date(firstDue.due_date! * 1000) : null,
        // The invoices the graph knows as payments (they name an order).
        paymentIds: mine.filter((i) => map.orderOf(i.metadata)).map((i) => i.id!),
      };
    });
  }

  return {
    getPayments: async (ids) => {
      const found = await Promise.all(
        distinct(ids).filter((id) => SAFE_ID.test(id)).map(async (id) => {
          if (id.startsWith('pi_')) {
            const intent = await client.readOrNull('paymentIntents.retrieve', (options) => stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] }, options));
            return intent ? map.payment(intent) : null;
          }
          if (id.startsWith('in_')) {
            const invoice = await client.readOrNull('invoices.retrieve', (options) => stripe.invoices.retrieve(id, {}, options));
            return invoice ? map.invoicePayment(invoice) : null;
          }
          return null;
        }),
      );
      return byKey(ids, present(found), (p) => p.id);
    },
    listPaymentsByOrder: async (ids) => groupByKey(ids, (await paymentsByOrder(ids)).sort(oldestFirst), (p) => p.orderId),
    getRefunds: async (ids) => {
      const found = await Promise.all(
        distinct(ids).filter((id) => SAFE_ID.test(id) && id.startsWith('re_')).map(async (id) => {
          const refund = await client.readOrNull('refunds.retrieve', (options) => stripe.refunds.retrieve(id, { expand: ['payment_intent'] }, options));
          return refund && typeof refund.payment_intent === 'object' && refund.payment_intent ? map.refund(refund, refund.payment_intent) : null;
        }),
      );
      return byKey(ids, present(found), (r) => r.id);
    },
    listRefundsByOrder: async (ids) => {
      const intents = present((await intentsByOrder(ids)).map(map.payment));
      return groupByKey(ids, (await refundsOfPayments(intents.map((p) => p.id))).sort(newestRefunds), (r) => r.orderId);
    },
    listRefundsByPayment: async (ids) => groupByKey(ids, (await refundsOfPayments(ids)).sort(newestRefunds), (r) => r.paymentId),
    listRefundsByCustomer: async (ids, first) => {
      const read = once(async (id) => (await refundsOf(await chargesOfCustomer(id))).sort(newestRefunds).slice(0, first));
      return perCustomer(ids, read);
    },
    getDisputes: async (ids) => {
      const found = await Promise.all(
        distinct(ids).filter((id) => SAFE_ID.test(id) && (id.startsWith('dp_') || id.startsWith('du_'))).map(async (id) => {
          const dispute = await client.readOrNull('disputes.retrieve', (options) => stripe.disputes.retrieve(id, { expand: ['payment_intent'] }, options));
          return dispute && typeof dispute.payment_intent === 'object' && dispute.payment_intent ? map.dispute(dispute, dispute.payment_intent) : null;
        }),
      );
      return byKey(ids, present(found), (d) => d.id);
    },
    listDisputesByOrder: async (ids) => {
      const disputed = (await intentsByOrder(ids)).filter((i) => typeof i.latest_charge === 'object' && i.latest_charge?.disputed);
      const found = await Promise.all(
        disputed.map((intent) =>
          client.list<Stripe.Dispute>('disputes.list', (page, options) => stripe.disputes.list({ ...page, payment_intent: intent.id }, options)).then((ds) => present(ds.map((d) => map.dispute(d, intent)))),
        ),
      );
      return groupByKey(ids, found.flat().sort(newestDisputes), (d) => d.orderId);
    },
    listDisputesByCustomer: async (ids) => perCustomer(ids, once(async (id) => (await disputesOf(await chargesOfCustomer(id))).sort(newestDisputes))),
    listOpenBalancesByCustomer: (ids, now) => perCustomer(ids, once((id) => balances(id, now))),
    systemCustomerIds: async (graphIds) => {
      const found = await Promise.all(
        slices(graphIds).map((slice) =>
          client.search('customers.search', (page, options) => stripe.customers.search({ ...page, query: metadataQuery(settings.customerMetadataKey, slice) }, options)),
        ),
      );
      // Oldest first: should two Stripe customers carry one graph id, the first one made wins.
      const byGraphId = new Map<string, string>();
      for (const c of found.flat().sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))) {
        const graphId = c.metadata?.[settings.customerMetadataKey];
        if (graphId && !byGraphId.has(graphId)) byGraphId.set(graphId, c.id);
      }
      return graphIds.map((id) => byGraphId.get(id) ?? null);
    },
    systemCustomerIdsByEmail: async (emails) => {
      // Stripe does not keep emails unique: an email two customers share links neither.
      const asked = distinct(emails.map((e) => e.toLowerCase())).filter((e) => SEARCHABLE_EMAIL.test(e));
      const found = await Promise.all(
        [...chunks(asked, MAX_SEARCH_CLAUSES)].map((slice) =>
          client.search('customers.search', (page, options) => stripe.customers.search({ ...page, query: slice.map((e) => `email:'${e}'`).join(' OR ') }, options)),
        ),
      );
      const owners = soleOwners(found.flat(), (c) => c.email, (c) => c.id);
      return emails.map((e) => owners.get(e.toLowerCase()) ?? null);
    },
    graphCustomerIds: async (systemIds) => {
      const found = await Promise.all(
        distinct(systemIds).filter((id) => SAFE_ID.test(id) && id.startsWith('cus_')).map(async (id) => {
          const customer = await client.readOrNull('customers.retrieve', (options) => stripe.customers.retrieve(id, {}, options));
          const graphId = customer && !customer.deleted ? customer.metadata?.[settings.customerMetadataKey] : undefined;
          return graphId ? { id, graphId } : null;
        }),
      );
      const index = new Map(present(found).map((f) => [f.id, f.graphId]));
      return systemIds.map((id) => index.get(id) ?? null);
    },
    exportCustomer: async (customerId) => {
      if (!SAFE_ID.test(customerId) || !customerId.startsWith('cus_')) return { payments: [], refunds: [], disputes: [] };
      const [customer, intents, invoices, customerCharges] = await Promise.all([
        client.readOrNull('customers.retrieve', (options) => stripe.customers.retrieve(customerId, {}, options)),
        client.list<Stripe.PaymentIntent>('paymentIntents.list', (page, options) => stripe.paymentIntents.list({ ...page, customer: customerId, expand: ['data.latest_charge'] }, options)),
        client.list<Stripe.Invoice>('invoices.list', (page, options) => stripe.invoices.list({ ...page, customer: customerId }, options)),
        chargesOfCustomer(customerId),
      ]);
      const [refunds, disputes] = await Promise.all([refundsOf(customerCharges), disputesOf(customerCharges)]);
      const profile = customer && !customer.deleted ? { email: customer.email, name: customer.name, phone: customer.phone, createdAt: new Date(customer.created * 1000) } : null;
      return {
        // What Stripe holds of the person; payments carry brand, last 4 and expiry only.
        profile,
        payments: [...present(intents.map(map.payment)), ...present(invoices.map(map.invoicePayment))].sort(oldestFirst),
        refunds: refunds.sort(newestRefunds),
        disputes: disputes.sort(newestDisputes),
      };
    },
    // The customer object goes (name, email, phone, addresses, payment methods, metadata); Stripe keeps
    // its payments, charges and refunds, which still name the deleted customer's id, for bookkeeping.
    eraseCustomer: async (customerId) => {
      if (!SAFE_ID.test(customerId) || !customerId.startsWith('cus_')) return 0;
      const deleted = await client.remove('customers.del', (options) => stripe.customers.del(customerId, {}, options));
      return deleted ? 1 : 0;
    },
    privacy: {
      export: { system: 'stripe', action: 'EXPORTED', detail: 'The Stripe customer, its payments (card brand and last 4 only), refunds and disputes' },
      erasure: { system: 'stripe', action: 'DELETED', detail: 'Stripe customer deleted; payments, charges and refunds kept by Stripe for bookkeeping' },
    },
    ping: async () => void (await client.read('customers.list', (options) => stripe.customers.list({ limit: 1 }, options))),
  };
}
