import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createFaults, type Fault } from '../faults';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Stripe API (npm's stripe-stateful-mock has no PaymentIntents, invoices or
 * search): node:http, in-memory state, Stripe's wire format for the calls the Stripe adapter and
 * its fixtures make. Every answer is checked against Stripe's OpenAPI description in server.test.ts.
 *
 * What test mode decides by the card, this does too (TEST_PAYMENT_METHODS): a dispute comes from
 * `pm_card_createDispute` (Stripe cannot create a dispute through its API), a pending refund from
 * `pm_card_pendingRefund`, a refund that fails later from `pm_card_refundFail`, a decline from
 * `pm_card_chargeDeclined`. No card number exists anywhere: cards are Stripe's test payment methods,
 * raw card data is refused as Stripe refuses it.
 *
 * One liberty, documented: Stripe refuses an invoice `due_date` in the past (an overdue invoice in
 * test mode comes from a test clock advanced past it); this accepts one, so overdue fixtures load.
 */

type Obj = Record<string, any>;

export interface TestCard {
  brand: string;
  last4: string;
  /** What Stripe's test card does after a successful payment. */
  dispute?: 'fraudulent' | 'product_not_received';
  refund?: 'pending' | 'fails_later';
  declined?: boolean;
}

/** Stripe's test payment methods for cards, as its testing docs list them. */
export const TEST_PAYMENT_METHODS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
  pm_card_amex: { brand: 'amex', last4: '8431' },
  pm_card_createDispute: { brand: 'visa', last4: '0259', dispute: 'fraudulent' },
  pm_card_createDisputeProductNotReceived: { brand: 'visa', last4: '2685', dispute: 'product_not_received' },
  pm_card_pendingRefund: { brand: 'visa', last4: '7726', refund: 'pending' },
  pm_card_refundFail: { brand: 'visa', last4: '5126', refund: 'fails_later' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', declined: true },
};
/** Test cards expire in December of next year here (Stripe accepts any future date). */
export const testCardExpiry = () => ({ exp_month: 12, exp_year: new Date().getUTCFullYear() + 1 });

export interface StripeStandIn {
  host: string;
  port: number;
  secretKey: string;
  webhookSecret: string;
  /** Every request received, in order (method, path, idempotency key): for tests counting calls. */
  requests: { method: string; path: string; idempotencyKey?: string }[];
  fault(fault: Fault): () => void;
  clearFaults(): void;
  /** A Stripe event of `type` around the object's current state, as Stripe would send it. */
  event(type: string, objectId: string): Obj;
  /** Signs `payload` as Stripe does (Stripe-Signature: t=…,v1=HMAC-SHA256(secret, `${t}.${payload}`)). */
  sign(payload: string, at?: number, secret?: string): string;
  /** Posts the event to `url` signed like Stripe; answers the receiver's status and body. */
  sendWebhook(url: string, event: Obj): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface StandInOptions {
  secretKey?: string;
  webhookSecret?: string;
  /** Stripe's search is eventually consistent (usually under a minute): an object joins search results this long after it was written. */
  searchLagMs?: number;
}

const API_VERSION = '2026-10-28.endive';
const id = (prefix: string) => `${prefix}_${randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 24)}`;
const now = () => Math.floor(Date.now() / 1000);

class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Obj,
  ) {
    super(body.message);
  }
}
const invalid = (message: string, extra: Obj = {}) => new StripeError(400, { type: 'invalid_request_error', message, ...extra });
const missing = (kind: string, key: string, param = 'id') =>
  new StripeError(404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${key}'`, param });

/** Stripe's form encoding (qs): `metadata[order_id]=x`, `expand[0]=a` or `expand[]=a`. */
export function parseForm(text: string): Obj {
  const out: Obj = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    const path = [key.split('[')[0], ...[...key.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])];
    let node: any = out;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const nextIsIndex = !last && (path[i + 1] === '' || /^\d+$/.test(path[i + 1]));
      if (Array.isArray(node)) {
        const index = part === '' ? node.length : Number(part);
        if (last) node[index] = value;
        else node = node[index] ??= nextIsIndex ? [] : {};
      } else if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    });
  }
  return out;
}

const int = (value: unknown, param: string): number => {
  if (value === undefined) return undefined as never;
  if (!/^-?\d+$/.test(String(value))) throw invalid(`Invalid integer: ${String(value)}`, { param });
  return Number(value);
};
const bool = (value: unknown) => value === true || value === 'true';
const metadataOf = (value: unknown, current: Obj = {}): Obj => {
  if (value === undefined || value === '') return value === '' ? {} : current;
  const next = { ...current };
  for (const [k, v] of Object.entries(value as Obj)) {
    if (v === '') delete next[k];
    else next[k] = String(v);
  }
  return next;
};

/** One clause of Stripe's search query language: `field:'value'` or `metadata['key']:'value'`. */
function parseQuery(query: string, fields: string[]): { clauses: { field: string; key?: string; value: string }[]; op: 'AND' | 'OR' } {
  const hasAnd = / AND /.test(query);
  const hasOr = / OR /.test(query);
  if (hasAnd && hasOr) throw invalid('You cannot combine AND and OR in the same search query.', { param: 'query' });
  const parts = query.split(hasOr ? ' OR ' : ' AND ').map((p) => p.trim());
  if (parts.length > 10) throw invalid('Search queries are limited to 10 clauses.', { param: 'query' });
  const clauses = parts.map((part) => {
    const m = part.match(/^(?:metadata\[(['"])(.+?)\1\]|([a-z_.]+)):(['"])(.*)\4$/);
    if (!m) throw invalid(`Invalid query: ${part}`, { param: 'query' });
    const field = m[2] !== undefined ? 'metadata' : m[3];
    if (!fields.includes(field)) throw invalid(`Field \`${field}\` is an unsupported search field for this resource.`, { param: 'query' });
    return { field, key: m[2], value: m[5].replace(/\\'/g, "'") };
  });
  return { clauses, op: hasOr ? 'OR' : 'AND' };
}

interface Stored {
  kind: string;
  object: Obj;
  seq: number;
  writtenAt: number;
}

export async function startStripeStandIn(options: StandInOptions = {}): Promise<StripeStandIn> {
  const secretKey = options.secretKey ?? `sk_test_${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  const store = new Map<string, Stored>();
  const idempotency = new Map<string, { digest: string; status: number; body: string }>();
  const requests: StripeStandIn['requests'] = [];
  const faults = createFaults();
  let seq = 0;

  const put = (kind: string, object: Obj) => {
    const existing = store.get(object.id);
    store.set(object.id, { kind, object, seq: existing?.seq ?? ++seq, writtenAt: existing?.writtenAt ?? Date.now() });
    return object;
  };
  const get = (kind: string, key: string, param = 'id'): Obj => {
    const found = store.get(key);
    if (!found || found.kind !== kind) throw missing(kind, key, param);
    return found.object;
  };
  const all = (kind: string) => [...store.values()].filter((s) => s.kind === kind).sort((a, b) => b.seq - a.seq);

  // Rendering: a copy of the stored object with `expand` paths replaced by the objects they name.
  const KIND_OF_PREFIX: Record<string, string> = { cus: 'customer', pi: 'payment_intent', ch: 'charge', re: 'refund', dp: 'dispute', in: 'invoice', pm: 'payment_method', ii: 'invoiceitem' };
  const render = (object: Obj, expand: string[] = []): Obj => {
    const copy = structuredClone(object);
    if (copy.object === 'charge') copy.refunds = listOf(refundsOf(copy.id).map((r) => r.object), `/v1/charges/${copy.id}/refunds`, 10);
    for (const path of expand) {
      const [head, ...rest] = path.split('.');
      const value = copy[head];
      if (typeof value === 'string') {
        const target = store.get(value);
        if (!target || KIND_OF_PREFIX[value.split('_')[0]] === undefined) continue;
        copy[head] = render(target.object, rest.length ? [rest.join('.')] : []);
      } else if (value && typeof value === 'object' && rest.length) {
        if (value.object === 'list') value.data = value.data.map((item: Obj) => render(item, [rest.slice(1).join('.')].filter(Boolean)));
        else copy[head] = render(value, [rest.join('.')]);
      } else if (value === undefined && head !== 'data') {
        throw invalid(`This property cannot be expanded (${head}).`, { param: 'expand' });
      }
    }
    return copy;
  };
  const listOf = (data: Obj[], url: string, limit: number, hasMore = false) => ({ object: 'list', data: data.slice(0, limit), has_more: hasMore || data.length > limit, url });
  const refundsOf = (chargeId: string) => all('refund').filter((r) => r.object.charge === chargeId);

  function list(kind: string, params: Obj, url: string, filter: (o: Obj) => boolean = () => true) {
    const limit = Math.min(int(params.limit ?? 10, 'limit'), 100);
    let items = all(kind).map((s) => s.object).filter(filter);
    if (params.starting_after) {
      const at = items.findIndex((o) => o.id === params.starting_after);
      if (at < 0) throw missing(kind, params.starting_after, 'starting_after');
      items = items.slice(at + 1);
    }
    const expand = (params.expand ?? []).map((e: string) => e.replace(/^data\./, ''));
    return { object: 'list', data: items.slice(0, limit).map((o) => render(o, expand)), has_more: items.length > limit, url };
  }

  function search(kind: string, params: Obj, url: string, fields: string[]) {
    if (typeof params.query !== 'string') throw invalid('Missing required param: query.', { param: 'query' });
    const { clauses, op } = parseQuery(params.query, fields);
    const limit = Math.min(int(params.limit ?? 10, 'limit'), 100);
    const offset = params.page ? Number(Buffer.from(String(params.page), 'base64url').toString()) : 0;
    const visible = Date.now() - (options.searchLagMs ?? 0);
    const matches = (o: Obj) => {
      const hit = (c: (typeof clauses)[number]) => {
        const actual = c.field === 'metadata' ? o.metadata?.[c.key!] : c.field.split('.').reduce((v: any, k) => v?.[k], o);
        const id = actual && typeof actual === 'object' ? actual.id : actual;
        return String(id) === c.value;
      };
      return op === 'OR' ? clauses.some(hit) : clauses.every(hit);
    };
    const items = all(kind).filter((s) => s.writtenAt <= visible).map((s) => s.object).filter(matches);
    const page = items.slice(offset, offset + limit);
    const hasMore = items.length > offset + limit;
    const expand = (params.expand ?? []).map((e: string) => e.replace(/^data\./, ''));
    return {
      object: 'search_result',
      data: page.map((o) => render(o, expand)),
      has_more: hasMore,
      next_page: hasMore ? Buffer.from(String(offset + limit)).toString('base64url') : null,
      url,
    };
  }

  // Objects.
  const customer = (params: Obj): Obj => ({
    id: id('cus'), object: 'customer', address: null, balance: 0, created: now(), currency: null, default_source: null, delinquent: false,
    description: params.description ?? null, discount: null, email: params.email ?? null, invoice_prefix: randomBytes(4).toString('hex').toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null }, livemode: false, metadata: metadataOf(params.metadata),
    name: params.name ?? null, next_invoice_sequence: 1, phone: params.phone ?? null, preferred_locales: [], shipping: null, tax_exempt: 'none', test_clock: null,
  });

  function paymentMethodOf(key: string): { card?: TestCard; object: Obj } {
    const card = TEST_PAYMENT_METHODS[key];
    if (card) {
      const object = {
        id: key, object: 'payment_method', billing_details: { address: null, email: null, name: null, phone: null }, created: now(), customer: null, livemode: false, metadata: {}, type: 'card',
        card: { brand: card.brand, checks: null, country: 'US', ...testCardExpiry(), fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16), funding: 'credit', generated_from: null, last4: card.last4, networks: null, three_d_secure_usage: null, wallet: null },
      };
      return { card, object };
    }
    return { object: get('payment_method', key, 'payment_method') };
  }

  function charge(pi: Obj, pm: { card?: TestCard; object: Obj }, failed: boolean): Obj {
    const manual = pi.capture_method === 'manual';
    const type = pm.object.type;
    const details: Obj = { type };
    if (type === 'card') {
      const c = pm.object.card;
      details.card = {
        brand: c.brand, checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' }, country: c.country, exp_month: c.exp_month, exp_year: c.exp_year,
        fingerprint: c.fingerprint, funding: c.funding, installments: null, last4: c.last4, mandate: null, network: c.brand, three_d_secure: null, wallet: null,
      };
    } else details[type] = type === 'klarna' ? { payment_method_category: 'pay_later', preferred_locale: null } : {};
    return {
      id: id('ch'), object: 'charge', amount: pi.amount, amount_captured: failed || manual ? 0 : pi.amount, amount_refunded: 0, application: null, application_fee: null,
      application_fee_amount: null, balance_transaction: failed ? null : id('txn'), billing_details: pm.object.billing_details, calculated_statement_descriptor: 'STRIPE*STANDIN',
      captured: !failed && !manual, created: now(), currency: pi.currency, customer: pi.customer, description: pi.description, disputed: false, failure_balance_transaction: null,
      failure_code: failed ? 'card_declined' : null, failure_message: failed ? 'Your card was declined.' : null, fraud_details: {}, invoice: null, livemode: false, metadata: { ...pi.metadata },
      on_behalf_of: null, outcome: { network_status: failed ? 'declined_by_network' : 'approved_by_network', reason: failed ? 'generic_decline' : null, risk_level: 'normal', seller_message: failed ? 'The bank did not return any further details with this decline.' : 'Payment complete.', type: failed ? 'issuer_declined' : 'authorized' },
      paid: !failed, payment_intent: pi.id, payment_method: pm.object.id, payment_method_details: details, receipt_email: null, receipt_number: null, receipt_url: null, refunded: false,
      review: null, shipping: null, source_transfer: null, statement_descriptor: null, statement_descriptor_suffix: null, status: failed ? 'failed' : 'succeeded', transfer_data: null, transfer_group: null,
    };
  }

  function dispute(ch: Obj, reason: string): Obj {
    const created = now();
    const evidence = Object.fromEntries(
      ['access_activity_log', 'billing_address', 'cancellation_policy', 'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_communication', 'customer_email_address', 'customer_name', 'customer_purchase_ip', 'customer_signature', 'duplicate_charge_documentation', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'receipt', 'refund_policy', 'refund_policy_disclosure', 'refund_refusal_explanation', 'service_date', 'service_documentation', 'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_documentation', 'shipping_tracking_number', 'uncategorized_file', 'uncategorized_text'].map((k) => [k, null]),
    );
    ch.disputed = true;
    return {
      id: id('dp'), object: 'dispute', amount: ch.amount, balance_transactions: [], charge: ch.id, created, currency: ch.currency, evidence,
      evidence_details: { due_by: created + 7 * 86_400, has_evidence: false, past_due: false, submission_count: 0 }, is_charge_refundable: false, livemode: false, metadata: {},
      payment_intent: ch.payment_intent, reason, status: 'needs_response',
    };
  }

  function confirm(pi: Obj, params: Obj): Obj {
    const pmKey = params.payment_method ?? pi.payment_method;
    if (!pmKey) throw invalid('You cannot confirm this PaymentIntent because it\'s missing a payment method.', { code: 'payment_intent_unexpected_state', param: 'payment_method' });
    if (!['requires_payment_method', 'requires_confirmation'].includes(pi.status)) {
      throw invalid(`This PaymentIntent's status is ${pi.status}, so it cannot be confirmed.`, { code: 'payment_intent_unexpected_state' });
    }
    const pm = paymentMethodOf(pmKey);
    if (!pi.payment_method_types.includes(pm.object.type)) throw invalid(`The PaymentMethod provided (${pm.object.type}) is not allowed for this PaymentIntent.`, { param: 'payment_method' });
    pi.payment_method = pm.object.id;
    const ch = put('charge', charge(pi, pm, Boolean(pm.card?.declined)));
    pi.latest_charge = ch.id;
    if (pm.card?.declined) {
      pi.status = 'requires_payment_method';
      pi.payment_method = null;
      pi.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', charge: ch.id, payment_method: pm.object };
      throw new StripeError(402, { ...pi.last_payment_error, payment_intent: render(pi) });
    }
    pi.last_payment_error = null;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      if (pm.card?.dispute) put('dispute', dispute(ch, pm.card.dispute));
    }
    return pi;
  }

  function refund(params: Obj): Obj {
    const ch = params.charge ? get('charge', params.charge, 'charge') : params.payment_intent ? get('charge', get('payment_intent', params.payment_intent, 'payment_intent').latest_charge ?? '', 'payment_intent') : null;
    if (!ch) throw invalid('Must provide either `charge` or `payment_intent`.');
    if (!ch.captured) throw invalid(`Charge ${ch.id} has not been captured.`, { code: 'charge_not_captured' });
    const left = ch.amount_captured - ch.amount_refunded;
    if (left <= 0) throw invalid(`Charge ${ch.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = params.amount === undefined ? left : int(params.amount, 'amount');
    if (amount > left) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, { code: 'amount_too_large', param: 'amount' });
    if (params.reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(params.reason)) throw invalid('Invalid reason', { param: 'reason' });
    const card = TEST_PAYMENT_METHODS[ch.payment_method];
    ch.amount_refunded += amount;
    ch.refunded = ch.amount_refunded >= ch.amount_captured;
    const re = put('refund', {
      id: id('re'), object: 'refund', amount, balance_transaction: id('txn'), charge: ch.id, created: now(), currency: ch.currency, metadata: metadataOf(params.metadata),
      payment_intent: ch.payment_intent, reason: params.reason ?? null, receipt_number: null, source_transfer_reversal: null,
      status: card?.refund === 'pending' ? 'pending' : 'succeeded', transfer_reversal: null,
    });
    if (card?.refund === 'fails_later') {
      // As with Stripe's refund-failure test card: succeeded at first, failed shortly after.
      setImmediate(() => {
        re.status = 'failed';
        re.failure_reason = 'expired_or_canceled_card';
        re.failure_balance_transaction = id('txn');
        ch.amount_refunded -= amount;
        ch.refunded = false;
      });
    }
    return re;
  }

  function invoiceTotals(inv: Obj) {
    const total = inv.lines.data.reduce((s: number, l: Obj) => s + l.amount, 0);
    Object.assign(inv, { subtotal: total, total, amount_due: total, amount_remaining: total - inv.amount_paid });
  }
  function invoice(params: Obj): Obj {
    const cus = get('customer', params.customer, 'customer');
    const collection = params.collection_method ?? 'charge_automatically';
    if (params.due_date !== undefined && collection !== 'send_invoice') throw invalid('Invoices with `collection_method=charge_automatically` cannot have a due date.', { param: 'due_date' });
    const created = now();
    const inv: Obj = {
      id: id('in'), object: 'invoice', account_country: 'US', account_name: 'Stand-in', account_tax_ids: null, amount_due: 0, amount_paid: 0, amount_remaining: 0, application_fee_amount: null,
      attempt_count: 0, attempted: false, auto_advance: bool(params.auto_advance), automatic_tax: { enabled: false, status: null }, billing_reason: 'manual', charge: null,
      collection_method: collection, created, currency: (params.currency ?? cus.currency ?? 'usd').toLowerCase(), custom_fields: null, customer: cus.id, customer_address: null,
      customer_email: cus.email, customer_name: cus.name, customer_phone: cus.phone, customer_shipping: null, customer_tax_exempt: 'none', customer_tax_ids: [], default_payment_method: null,
      default_source: null, default_tax_rates: [], description: params.description ?? null, discount: null, discounts: [], due_date: params.due_date === undefined ? null : int(params.due_date, 'due_date'),
      ending_balance: null, footer: null, hosted_invoice_url: null, invoice_pdf: null, last_finalization_error: null, lines: { object: 'list', data: [], has_more: false, url: '' },
      livemode: false, metadata: metadataOf(params.metadata), next_payment_attempt: null, number: null, on_behalf_of: null, paid: false, paid_out_of_band: false, payment_intent: null,
      payment_settings: { payment_method_options: null, payment_method_types: null }, period_end: created, period_start: created, post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0, quote: null, receipt_number: null, starting_balance: 0, statement_descriptor: null, status: 'draft',
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null }, subscription: null, subtotal: 0, tax: null, test_clock: null, total: 0,
      total_discount_amounts: [], total_tax_amounts: [], transfer_data: null, webhooks_delivered_at: null,
    };
    if (collection === 'send_invoice' && inv.due_date === null) throw invalid('Missing required param: due_date.', { param: 'due_date' });
    inv.lines.url = `/v1/invoices/${inv.id}/lines`;
    return inv;
  }
  function invoiceItem(params: Obj): Obj {
    const cus = get('customer', params.customer, 'customer');
    const inv = params.invoice ? get('invoice', params.invoice, 'invoice') : null;
    if (inv && inv.status !== 'draft') throw invalid(`You can only add invoice items to draft invoices; ${inv.id} is ${inv.status}.`, { param: 'invoice' });
    const amount = int(params.amount, 'amount');
    if (amount === undefined) throw invalid('Missing required param: amount.', { param: 'amount' });
    const currency = String(params.currency ?? inv?.currency ?? 'usd').toLowerCase();
    if (inv && currency !== inv.currency) throw invalid('The currency of an invoice item must match its invoice\'s.', { param: 'currency' });
    const at = now();
    const item = {
      id: id('ii'), object: 'invoiceitem', amount, currency, customer: cus.id, date: at, description: params.description ?? null, discountable: true, discounts: [],
      invoice: inv?.id ?? null, livemode: false, metadata: metadataOf(params.metadata), period: { end: at, start: at }, price: null, proration: false, quantity: 1,
      subscription: null, tax_rates: [], test_clock: null, unit_amount: amount, unit_amount_decimal: String(amount),
    };
    if (inv) {
      inv.lines.data.push({
        id: id('il'), object: 'line_item', amount, currency, description: item.description, discount_amounts: [], discountable: true, discounts: [], invoice_item: item.id,
        livemode: false, metadata: {}, period: item.period, price: null, proration: false, proration_details: { credited_items: null }, quantity: 1, subscription: null,
        tax_amounts: [], tax_rates: [], type: 'invoiceitem',
      });
      invoiceTotals(inv);
    }
    return item;
  }

  // Routes: [method, pattern, handler(params, match)].
  type Handler = (params: Obj, m: RegExpMatchArray) => Obj;
  const expandOf = (params: Obj): string[] => params.expand ?? [];
  const pi = (key: string) => get('payment_intent', key, 'intent');
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/v1\/customers$/, (p) => list('customer', p, '/v1/customers', (c) => (p.email === undefined || c.email === p.email))],
    ['POST', /^\/v1\/customers$/, (p) => render(put('customer', customer(p)), expandOf(p))],
    ['GET', /^\/v1\/customers\/search$/, (p) => search('customer', p, '/v1/customers/search', ['email', 'name', 'phone', 'metadata'])],
    // A deleted customer is still retrieved, as a `deleted_customer`; everything else about it answers 404, as at Stripe.
    ['GET', /^\/v1\/customers\/([^/]+)$/, (p, m) => (store.get(m[1])?.kind === 'deleted_customer' ? get('deleted_customer', m[1]) : render(get('customer', m[1], 'customer'), expandOf(p)))],
    // Its payments, charges and refunds stay (they keep the customer's id), as Stripe keeps them for bookkeeping.
    ['DELETE', /^\/v1\/customers\/([^/]+)$/, (_p, m) => {
      get('customer', m[1], 'customer');
      store.delete(m[1]);
      return put('deleted_customer', { id: m[1], object: 'customer', deleted: true });
    }],
    ['POST', /^\/v1\/customers\/([^/]+)$/, (p, m) => {
      const c = get('customer', m[1], 'customer');
      for (const k of ['email', 'name', 'phone', 'description']) if (k in p) c[k] = p[k] === '' ? null : p[k];
      for (const k of ['address', 'shipping']) if (p[k] === '') c[k] = null;
      c.metadata = metadataOf(p.metadata, c.metadata);
      return render(c, expandOf(p));
    }],
    ['POST', /^\/v1\/payment_methods$/, (p) => {
      if (p.type === 'card' || p.card) {
        throw new StripeError(402, { type: 'card_error', code: 'card_declined', message: 'Sending credit card numbers directly to the Stripe API is generally unsafe. Use a test PaymentMethod such as pm_card_visa.' });
      }
      if (!['paypal', 'klarna'].includes(p.type)) throw invalid(`Invalid payment method type: ${p.type}`, { param: 'type' });
      const billing = { address: p.billing_details?.address ?? null, email: p.billing_details?.email ?? null, name: p.billing_details?.name ?? null, phone: p.billing_details?.phone ?? null };
      return put('payment_method', { id: id('pm'), object: 'payment_method', billing_details: billing, created: now(), customer: null, livemode: false, metadata: metadataOf(p.metadata), type: p.type, [p.type]: {} });
    }],
    ['GET', /^\/v1\/payment_intents$/, (p) => list('payment_intent', p, '/v1/payment_intents', (o) => p.customer === undefined || o.customer === p.customer)],
    ['POST', /^\/v1\/payment_intents$/, (p) => {
      const amount = int(p.amount, 'amount');
      if (!amount || amount < 1) throw invalid('Missing required param: amount.', { param: 'amount' });
      if (!p.currency) throw invalid('Missing required param: currency.', { param: 'currency' });
      if (p.customer) get('customer', p.customer, 'customer');
      const o: Obj = put('payment_intent', {
        id: id('pi'), object: 'payment_intent', amount, amount_capturable: 0, amount_received: 0, application: null, application_fee_amount: null, automatic_payment_methods: null,
        canceled_at: null, cancellation_reason: null, capture_method: p.capture_method ?? 'automatic', client_secret: null, confirmation_method: 'automatic', created: now(),
        currency: String(p.currency).toLowerCase(), customer: p.customer ?? null, description: p.description ?? null, invoice: null, last_payment_error: null, latest_charge: null,
        livemode: false, metadata: metadataOf(p.metadata), next_action: null, on_behalf_of: null, payment_method: p.payment_method ?? null, payment_method_options: {},
        // The pinned API takes allowed_payment_method_types; older versions payment_method_types.
        payment_method_types: p.allowed_payment_method_types ?? p.payment_method_types ?? ['card'], processing: null, receipt_email: null, review: null, setup_future_usage: null, shipping: null,
        statement_descriptor: null, statement_descriptor_suffix: null, status: p.payment_method ? 'requires_confirmation' : 'requires_payment_method', transfer_data: null, transfer_group: null,
      });
      o.client_secret = `${o.id}_secret_${randomBytes(8).toString('hex')}`;
      if (bool(p.confirm)) confirm(o, p);
      return render(o, expandOf(p));
    }],
    ['GET', /^\/v1\/payment_intents\/search$/, (p) => search('payment_intent', p, '/v1/payment_intents/search', ['amount', 'currency', 'customer', 'status', 'metadata'])],
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (p, m) => render(pi(m[1]), expandOf(p))],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/confirm$/, (p, m) => render(confirm(pi(m[1]), p), expandOf(p))],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/capture$/, (p, m) => {
      const o = pi(m[1]);
      if (o.status !== 'requires_capture') throw invalid(`This PaymentIntent could not be captured because it has a status of ${o.status}.`, { code: 'payment_intent_unexpected_state' });
      const amount = p.amount_to_capture === undefined ? o.amount_capturable : int(p.amount_to_capture, 'amount_to_capture');
      const ch = get('charge', o.latest_charge);
      Object.assign(ch, { captured: true, amount_captured: amount });
      Object.assign(o, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
      return render(o, expandOf(p));
    }],
    ['POST', /^\/v1\/payment_intents\/([^/]+)\/cancel$/, (p, m) => {
      const o = pi(m[1]);
      if (['succeeded', 'canceled'].includes(o.status)) throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${o.status}.`, { code: 'payment_intent_unexpected_state' });
      Object.assign(o, { status: 'canceled', canceled_at: now(), cancellation_reason: p.cancellation_reason ?? null, amount_capturable: 0 });
      return render(o, expandOf(p));
    }],
    ['GET', /^\/v1\/charges$/, (p) => list('charge', p, '/v1/charges', (o) => (p.customer === undefined || o.customer === p.customer) && (p.payment_intent === undefined || o.payment_intent === p.payment_intent))],
    ['GET', /^\/v1\/charges\/search$/, (p) => search('charge', p, '/v1/charges/search', ['amount', 'currency', 'customer', 'disputed', 'payment_intent', 'refunded', 'status', 'metadata'])],
    ['GET', /^\/v1\/charges\/([^/]+)$/, (p, m) => render(get('charge', m[1], 'charge'), expandOf(p))],
    ['GET', /^\/v1\/refunds$/, (p) => list('refund', p, '/v1/refunds', (o) => (p.charge === undefined || o.charge === p.charge) && (p.payment_intent === undefined || o.payment_intent === p.payment_intent))],
    ['POST', /^\/v1\/refunds$/, (p) => render(refund(p), expandOf(p))],
    ['GET', /^\/v1\/refunds\/([^/]+)$/, (p, m) => render(get('refund', m[1], 'refund'), expandOf(p))],
    ['GET', /^\/v1\/disputes$/, (p) => list('dispute', p, '/v1/disputes', (o) => (p.charge === undefined || o.charge === p.charge) && (p.payment_intent === undefined || o.payment_intent === p.payment_intent))],
    ['GET', /^\/v1\/disputes\/([^/]+)$/, (p, m) => render(get('dispute', m[1], 'dispute'), expandOf(p))],
    ['GET', /^\/v1\/invoices$/, (p) => list('invoice', p, '/v1/invoices', (o) => (p.customer === undefined || o.customer === p.customer) && (p.status === undefined || o.status === p.status) && (p.collection_method === undefined || o.collection_method === p.collection_method))],
    ['POST', /^\/v1\/invoices$/, (p) => render(put('invoice', invoice(p)), expandOf(p))],
    ['GET', /^\/v1\/invoices\/search$/, (p) => search('invoice', p, '/v1/invoices/search', ['created', 'currency', 'customer', 'number', 'status', 'total', 'metadata'])],
    ['GET', /^\/v1\/invoices\/([^/]+)$/, (p, m) => render(get('invoice', m[1], 'invoice'), expandOf(p))],
    ['POST', /^\/v1\/invoices\/([^/]+)\/finalize$/, (p, m) => {
      const inv = get('invoice', m[1], 'invoice');
      if (inv.status !== 'draft') throw invalid(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`, { code: 'invoice_not_editable' });
      Object.assign(inv, { status: 'open', number: `${get('customer', inv.customer).invoice_prefix}-${String(seq).padStart(4, '0')}`, status_transitions: { ...inv.status_transitions, finalized_at: now() } });
      return render(inv, expandOf(p));
    }],
    ['POST', /^\/v1\/invoices\/([^/]+)\/pay$/, (p, m) => {
      const inv = get('invoice', m[1], 'invoice');
      if (inv.status !== 'open') throw invalid(`Invoice is ${inv.status}; only open invoices can be paid.`, { code: 'invoice_not_open' });
      if (!bool(p.paid_out_of_band)) throw invalid('This invoice has no payment method to charge; pay it out of band or attach one.', { code: 'invoice_no_payment_method_types' });
      Object.assign(inv, { status: 'paid', paid: true, paid_out_of_band: true, amount_paid: inv.amount_due, amount_remaining: 0, status_transitions: { ...inv.status_transitions, paid_at: now() } });
      return render(inv, expandOf(p));
    }],
    ['POST', /^\/v1\/invoices\/([^/]+)\/void$/, (p, m) => {
      const inv = get('invoice', m[1], 'invoice');
      if (inv.status !== 'open') throw invalid(`You can only void open invoices; ${inv.id} is ${inv.status}.`, { code: 'invoice_not_open' });
      Object.assign(inv, { status: 'void', status_transitions: { ...inv.status_transitions, voided_at: now() } });
      return render(inv, expandOf(p));
    }],
    ['POST', /^\/v1\/invoiceitems$/, (p) => render(put('invoiceitem', invoiceItem(p)), expandOf(p))],
  ];

  const authorized = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const bearer = header.match(/^Bearer (.+)$/)?.[1];
    const basic = header.match(/^Basic (.+)$/)?.[1];
    return (bearer ?? (basic ? Buffer.from(basic, 'base64').toString().split(':')[0] : undefined)) === secretKey;
  };

  const send = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': id('req'), 'Stripe-Version': API_VERSION, ...headers });
    res.end(body);
  };
  const errorBody = (err: StripeError) => JSON.stringify({ error: err.body });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString();
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method, path: url.pathname, ...(key ? { idempotencyKey: key } : {}) });

    const fault = faults.take(method, url.pathname);
    if (fault?.kind === 'hang') return; // never answers; the client's timeout ends it
    if (fault?.kind === 'drop') return req.socket.destroy();
    if (fault?.kind === '429') {
      return send(res, 429, JSON.stringify({ error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } }), { 'Retry-After': String(fault.retryAfterSeconds ?? 1), 'Stripe-Should-Retry': 'true' });
    }
    if (fault?.kind === '500') return send(res, 500, JSON.stringify({ error: { type: 'api_error', message: 'An unknown error occurred' } }), { 'Stripe-Should-Retry': 'true' });

    if (!authorized(req)) {
      return send(res, 401, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } }), { 'WWW-Authenticate': 'Bearer realm="Stripe"' });
    }
    const params = method === 'GET' ? parseForm(url.search.slice(1)) : parseForm(rawBody);
    // Idempotency: a POST with a key seen before replays the first answer; other parameters are refused.
    const digest = createHash('sha256').update(`${method} ${url.pathname} ${rawBody}`).digest('hex');
    const idemKey = method === 'POST' && key ? `${key}` : undefined;
    const seen = idemKey ? idempotency.get(idemKey) : undefined;
    if (seen) {
      if (seen.digest !== digest) {
        return send(res, 400, JSON.stringify({ error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.` } }));
      }
      if (fault?.kind === 'drop-after') return req.socket.destroy();
      return send(res, seen.status, seen.body, { 'Idempotent-Replayed': 'true', ...(key ? { 'Idempotency-Key': key } : {}) });
    }
    const route = routes.find(([m, pattern]) => m === method && pattern.test(url.pathname));
    let status = 200;
    let body: string;
    if (!route) {
      status = 404;
      body = JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${url.pathname}).` } });
    } else {
      try {
        body = JSON.stringify(route[2](params, url.pathname.match(route[1])!));
      } catch (err) {
        if (!(err instanceof StripeError)) throw err;
        status = err.status;
        body = errorBody(err);
      }
    }
    // Stripe keeps the answer of a request that ran (errors included), not of one refused before running.
    if (idemKey && status !== 400 && status !== 401 && status !== 404) idempotency.set(idemKey, { digest, status, body });
    if (fault?.kind === 'drop-after') return req.socket.destroy();
    send(res, status, body, key ? { 'Idempotency-Key': key } : {});
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: { type: 'api_error', message: `stand-in failure: ${(err as Error).message}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const sign = (payload: string, at = now(), secret = webhookSecret) =>
    `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${payload}`).digest('hex')}`;

  return {
    host: '127.0.0.1',
    port,
    secretKey,
    webhookSecret,
    requests,
    fault: faults.fault,
    clearFaults: faults.clearFaults,
    event(type, objectId) {
      const found = store.get(objectId);
      if (!found) throw new Error(`the stand-in holds no ${objectId}`);
      return {
        id: id('evt'), object: 'event', api_version: API_VERSION, created: now(), data: { object: render(found.object) }, livemode: false,
        pending_webhooks: 1, request: { id: null, idempotency_key: null }, type,
      };
    },
    sign,
    async sendWebhook(url, event) {
      const payload = JSON.stringify(event, null, 2);
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': sign(payload) }, body: payload });
      return { status: response.status, body: await response.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
