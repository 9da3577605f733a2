import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseForm, startStripeStandIn, type StripeStandIn } from './server';

type Json = Record<string, any>;
const spec: Json = JSON.parse(readFileSync(join(__dirname, 'spec3.trimmed.json'), 'utf8'));

/** Stripe's objects are open in its description; closed here so the stand-in cannot invent a field. */
const CLOSED = ['customer', 'payment_intent', 'charge', 'refund', 'dispute', 'invoice', 'invoiceitem', 'payment_method', 'line_item', 'api_errors'];

/** OpenAPI 3.0's `nullable` as JSON Schema (ajv refuses `nullable` without `type`). */
function jsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node;
  const out: Json = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, jsonSchema(s)])) : jsonSchema(v)]));
  if (typeof out.$ref === 'string') out.$ref = out.$ref.replace('#/components/schemas/', '#/definitions/');
  if (!nullable) return out;
  return { anyOf: [out, { type: 'null' }] };
}

const definitions = Object.fromEntries(
  Object.entries<Json>(spec.components.schemas).map(([name, schema]) => [name, { ...jsonSchema(schema), ...(CLOSED.includes(name) ? { additionalProperties: false } : {}) }]),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('unix-time', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('decimal', true);
ajv.addSchema({ $id: 'stripe', definitions });

/** The spec's path for a request path: the literal one (/v1/customers/search) before a template that also matches. */
function operationOf(method: string, path: string): string {
  const paths = Object.keys(spec.paths).filter((t) => spec.paths[t][method]);
  const found = paths.find((t) => t === path) ?? paths.find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  if (!found) throw new Error(`the trimmed spec has no ${method} ${path}`);
  return found;
}

const validators = new Map<string, ValidateFunction>();
/** The operation's response schema for this status (its 200, or `default` for errors). */
function validatorFor(method: string, template: string, status: number): ValidateFunction {
  const responses = spec.paths[template][method].responses;
  const key = `${method} ${template} ${status}`;
  if (!validators.has(key)) {
    const schema = responses[String(status)] ?? responses.default;
    validators.set(key, ajv.compile({ ...jsonSchema(schema.content['application/json'].schema), definitions }));
  }
  return validators.get(key)!;
}

/** Stripe's form encoding, as its SDK writes it. */
function form(params: Json, prefix = ''): string[] {
  return Object.entries(params).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}[${k}]` : k;
    if (Array.isArray(v)) return v.flatMap((item, i) => (typeof item === 'object' ? form(item, `${key}[${i}]`) : [`${encodeURIComponent(`${key}[${i}]`)}=${encodeURIComponent(item)}`]));
    if (v && typeof v === 'object') return form(v, key);
    return [`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`];
  });
}

describe('the Stripe stand-in answers as Stripe’s OpenAPI description says', () => {
  let stripe: StripeStandIn;
  const checked = new Set<string>();
  beforeAll(async () => {
    stripe = await startStripeStandIn();
  });
  afterAll(() => stripe.close());
  afterEach(() => stripe.clearFaults());

  /** One request; its answer validated against the operation's schema for its status. */
  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, params: Json = {}, headers: Record<string, string> = {}) {
    const query = form(params).join('&');
    const response = await fetch(`http://${stripe.host}:${stripe.port}${path}${method === 'GET' && query ? `?${query}` : ''}`, {
      method,
      headers: { Authorization: `Bearer ${stripe.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: method === 'POST' ? query : undefined,
    });
    const body = (await response.json()) as Json;
    const template = operationOf(method.toLowerCase(), path);
    const validate = validatorFor(method.toLowerCase(), template, response.status);
    if (!validate(body)) throw new Error(`${method} ${path} ${response.status}: ${validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join("; ")}\n${JSON.stringify(body).slice(0, 400)}`);
    checked.add(`${method.toLowerCase()} ${template}`);
    return { status: response.status, body, headers: response.headers };
  }

  async function fixtures() {
    const { body: customer } = await call('POST', '/v1/customers', { email: 'ada@example.com', name: 'Ada', metadata: { graph_customer_id: 'cus_000001' } });
    const { body: paid } = await call('POST', '/v1/payment_intents', {
      amount: 5000, currency: 'eur', customer: customer.id, payment_method: 'pm_card_visa', confirm: true, metadata: { order_id: 'ord_1' }, expand: ['latest_charge'],
    });
    return { customer, paid };
  }

  it('reads qs-style form bodies: nested metadata and both array forms', () => {
    expect(parseForm('metadata%5Border_id%5D=o%201&expand[0]=a&expand[1]=b.c&x[]=1&x[]=2&flag=true')).toEqual({
      metadata: { order_id: 'o 1' }, expand: ['a', 'b.c'], x: ['1', '2'], flag: 'true',
    });
  });

  it('customers: create, retrieve, update (metadata merged), list, search by metadata', async () => {
    const { customer } = await fixtures();
    expect(customer).toMatchObject({ object: 'customer', metadata: { graph_customer_id: 'cus_000001' } });
    await call('GET', `/v1/customers/${customer.id}`);
    const { body: updated } = await call('POST', `/v1/customers/${customer.id}`, { name: '', metadata: { tier: 'gold' } });
    expect(updated).toMatchObject({ name: null, metadata: { graph_customer_id: 'cus_000001', tier: 'gold' } });
    await call('GET', '/v1/customers', { limit: 1 });
    const { body: found } = await call('GET', '/v1/customers/search', { query: "metadata['graph_customer_id']:'cus_000001' OR metadata['graph_customer_id']:'nobody'" });
    expect(found.data.map((c: Json) => c.id)).toContain(customer.id);
  });

  it('customers: delete (then retrieved as deleted, its payments kept; a second delete is a 404)', async () => {
    const { customer, paid } = await fixtures();
    expect((await call('DELETE', `/v1/customers/${customer.id}`)).body).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect((await call('GET', `/v1/customers/${customer.id}`)).body).toEqual({ id: customer.id, object: 'customer', deleted: true });
    expect((await call('GET', `/v1/payment_intents/${paid.id}`)).body.customer).toBe(customer.id);
    const again = await call('DELETE', `/v1/customers/${customer.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
  });

  it('payment intents: a card payment with its latest charge (brand and last 4 only), manual capture, cancel, list, search, a decline', async () => {
    const { customer, paid } = await fixtures();
    expect(paid).toMatchObject({ status: 'succeeded', amount_received: 5000, latest_charge: { object: 'charge', captured: true, payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } } } });
    expect(JSON.stringify(paid)).not.toMatch(/4242424242424242/);
    const { body: held } = await call('POST', '/v1/payment_intents', { amount: 700, currency: 'usd', customer: customer.id, capture_method: 'manual', payment_method_types: ['card'] });
    expect(held.status).toBe('requires_payment_method');
    expect((await call('POST', `/v1/payment_intents/${held.id}/confirm`, { payment_method: 'pm_card_mastercard' })).body.status).toBe('requires_capture');
    expect((await call('POST', `/v1/payment_intents/${held.id}/capture`, { amount_to_capture: 500 })).body).toMatchObject({ status: 'succeeded', amount_received: 500 });
    const { body: open } = await call('POST', '/v1/payment_intents', { amount: 900, currency: 'usd', customer: customer.id, capture_method: 'manual', payment_method: 'pm_card_amex', confirm: true });
    expect((await call('POST', `/v1/payment_intents/${open.id}/cancel`, { cancellation_reason: 'abandoned' })).body).toMatchObject({ status: 'canceled', canceled_at: expect.any(Number) });
    await call('GET', `/v1/payment_intents/${paid.id}`, { expand: ['latest_charge'] });
    const { body: page } = await call('GET', '/v1/payment_intents', { customer: customer.id, limit: 2 });
    expect(page).toMatchObject({ object: 'list', has_more: true });
    const { body: rest } = await call('GET', '/v1/payment_intents', { customer: customer.id, limit: 2, starting_after: page.data[1].id });
    expect(rest.data.map((p: Json) => p.id)).toEqual([paid.id]);
    const { body: found } = await call('GET', '/v1/payment_intents/search', { query: "metadata['order_id']:'ord_1'", expand: ['data.latest_charge'] });
    expect(found.data[0]).toMatchObject({ id: paid.id, latest_charge: { id: paid.latest_charge.id } });
    const declined = await call('POST', '/v1/payment_intents', { amount: 100, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true });
    expect(declined).toMatchObject({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', payment_intent: { status: 'requires_payment_method' } } } });
  });

  it('payment methods: PayPal and Klarna can be made; raw card numbers are refused', async () => {
    const { body: paypal } = await call('POST', '/v1/payment_methods', { type: 'paypal' });
    const { body: pi } = await call('POST', '/v1/payment_intents', { amount: 300, currency: 'eur', payment_method: paypal.id, payment_method_types: ['paypal'], confirm: true, expand: ['latest_charge'] });
    expect(pi.latest_charge.payment_method_details).toEqual({ type: 'paypal', paypal: {} });
    await call('POST', '/v1/payment_methods', { type: 'klarna', billing_details: { email: 'k@example.com' } });
    const refused = await call('POST', '/v1/payment_methods', { type: 'card', card: { exp_month: 1 } });
    expect(refused.status).toBe(402);
  });

  it('charges and refunds: refund with metadata.return_id, list by payment intent and charge, search, pending and later-failing test cards', async () => {
    const { customer, paid } = await fixtures();
    const { body: refund } = await call('POST', '/v1/refunds', { payment_intent: paid.id, amount: 1000, reason: 'requested_by_customer', metadata: { return_id: 'ret_1' }, expand: ['payment_intent'] });
    expect(refund).toMatchObject({ status: 'succeeded', metadata: { return_id: 'ret_1' }, payment_intent: { id: paid.id } });
    await call('GET', `/v1/refunds/${refund.id}`);
    expect((await call('GET', '/v1/refunds', { payment_intent: paid.id })).body.data).toHaveLength(1);
    await call('GET', '/v1/refunds', { charge: paid.latest_charge.id, expand: ['data.payment_intent'] });
    const { body: charge } = await call('GET', `/v1/charges/${paid.latest_charge.id}`, { expand: ['refunds', 'payment_intent'] });
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: false, refunds: { data: [{ id: refund.id }] } });
    await call('GET', '/v1/charges', { customer: customer.id, expand: ['data.refunds', 'data.payment_intent'] });
    await call('GET', '/v1/charges/search', { query: `customer:'${customer.id}' AND refunded:'false'` });
    const tooMuch = await call('POST', '/v1/refunds', { payment_intent: paid.id, amount: 99999 });
    expect(tooMuch).toMatchObject({ status: 400, body: { error: { code: 'amount_too_large' } } });

    const { body: pending } = await call('POST', '/v1/payment_intents', { amount: 800, currency: 'gbp', payment_method: 'pm_card_pendingRefund', confirm: true });
    expect((await call('POST', '/v1/refunds', { payment_intent: pending.id })).body.status).toBe('pending');
    const { body: failing } = await call('POST', '/v1/payment_intents', { amount: 800, currency: 'gbp', payment_method: 'pm_card_refundFail', confirm: true });
    const { body: first } = await call('POST', '/v1/refunds', { payment_intent: failing.id });
    expect(first.status).toBe('succeeded');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await call('GET', `/v1/refunds/${first.id}`)).body).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
  });

  it('disputes: the dispute test card opens one after the payment; read and list by payment intent', async () => {
    const { body: pi } = await call('POST', '/v1/payment_intents', { amount: 4200, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true, expand: ['latest_charge'] });
    expect(pi.latest_charge.disputed).toBe(true);
    const { body: disputes } = await call('GET', '/v1/disputes', { payment_intent: pi.id, expand: ['data.payment_intent'] });
    expect(disputes.data).toEqual([expect.objectContaining({ reason: 'fraudulent', status: 'needs_response', amount: 4200, evidence_details: expect.objectContaining({ due_by: expect.any(Number) }) })]);
    await call('GET', `/v1/disputes/${disputes.data[0].id}`);
    await call('GET', '/v1/disputes', { charge: pi.latest_charge.id });
  });

  it('invoices: draft, items, finalize (open, amount_remaining, due_date), pay out of band, void, list by status, search', async () => {
    const { customer } = await fixtures();
    const due = Math.floor(Date.now() / 1000) + 86_400;
    const { body: draft } = await call('POST', '/v1/invoices', { customer: customer.id, collection_method: 'send_invoice', due_date: due, currency: 'eur', metadata: { order_id: 'ord_2' } });
    await call('POST', '/v1/invoiceitems', { customer: customer.id, invoice: draft.id, amount: 2500, currency: 'eur' });
    const { body: open } = await call('POST', `/v1/invoices/${draft.id}/finalize`);
    expect(open).toMatchObject({ status: 'open', amount_due: 2500, amount_remaining: 2500, due_date: due, currency: 'eur' });
    await call('GET', `/v1/invoices/${open.id}`);
    expect((await call('GET', '/v1/invoices', { customer: customer.id, status: 'open' })).body.data.map((i: Json) => i.id)).toEqual([open.id]);
    expect((await call('GET', '/v1/invoices/search', { query: "metadata['order_id']:'ord_2'" })).body.data).toHaveLength(1);
    const { body: other } = await call('POST', '/v1/invoices', { customer: customer.id, collection_method: 'send_invoice', due_date: due });
    await call('POST', '/v1/invoiceitems', { customer: customer.id, invoice: other.id, amount: 100, currency: 'usd' });
    await call('POST', `/v1/invoices/${other.id}/finalize`);
    expect((await call('POST', `/v1/invoices/${other.id}/pay`, { paid_out_of_band: true })).body).toMatchObject({ status: 'paid', amount_remaining: 0, amount_paid: 100 });
    expect((await call('POST', `/v1/invoices/${open.id}/void`)).body.status).toBe('void');
  });

  it('refuses without the secret key (401), an unknown object (404), a key reused with other parameters (400 idempotency_error), a bad search', async () => {
    const noKey = await call('GET', '/v1/customers', {}, { Authorization: 'Bearer sk_test_wrong' });
    expect(noKey).toMatchObject({ status: 401, body: { error: { type: 'invalid_request_error' } } });
    expect((await call('GET', '/v1/payment_intents/pi_missing')).body.error).toMatchObject({ code: 'resource_missing', type: 'invalid_request_error' });
    const first = await call('POST', '/v1/customers', { email: 'x@example.com' }, { 'Idempotency-Key': 'k-1' });
    const again = await call('POST', '/v1/customers', { email: 'x@example.com' }, { 'Idempotency-Key': 'k-1' });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call('POST', '/v1/customers', { email: 'y@example.com' }, { 'Idempotency-Key': 'k-1' });
    expect(other).toMatchObject({ status: 400, body: { error: { type: 'idempotency_error' } } });
    const mixed = await call('GET', '/v1/payment_intents/search', { query: "status:'succeeded' AND customer:'a' OR customer:'b'" });
    expect(mixed.status).toBe(400);
    expect((await call('GET', '/v1/charges/search', { query: "brand:'visa'" })).status).toBe(400);
  });

  it('faults on a path: 429 with Retry-After, 500, a hang and a dropped socket', async () => {
    stripe.fault({ path: '/v1/customers', kind: '429', times: 1, retryAfterSeconds: 2 });
    const limited = await call('GET', '/v1/customers');
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limit' } } });
    expect(limited.headers.get('retry-after')).toBe('2');
    stripe.fault({ path: '/v1/customers', kind: '500', times: 1 });
    expect((await call('GET', '/v1/customers')).body.error.type).toBe('api_error');
    expect((await call('GET', '/v1/customers')).status).toBe(200);
    stripe.fault({ path: /^\/v1\/customers/, kind: 'drop', times: 1 });
    await expect(fetch(`http://${stripe.host}:${stripe.port}/v1/customers`, { headers: { Authorization: `Bearer ${stripe.secretKey}` } })).rejects.toThrow();
    stripe.fault({ path: '/v1/customers', kind: 'hang', times: 1 });
    await expect(fetch(`http://${stripe.host}:${stripe.port}/v1/customers`, { headers: { Authorization: `Bearer ${stripe.secretKey}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });

  it('search is eventually consistent when asked to be: a new object joins results after the lag', async () => {
    const lagging = await startStripeStandIn({ searchLagMs: 300 });
    try {
      const headers = { Authorization: `Bearer ${lagging.secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' };
      const base = `http://${lagging.host}:${lagging.port}`;
      await fetch(`${base}/v1/customers`, { method: 'POST', headers, body: 'metadata[graph_customer_id]=cus_lag' });
      const search = () => fetch(`${base}/v1/customers/search?query=${encodeURIComponent("metadata['graph_customer_id']:'cus_lag'")}`, { headers }).then((r) => r.json() as Promise<Json>);
      expect((await search()).data).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await search()).data).toHaveLength(1);
    } finally {
      await lagging.close();
    }
  });

  it('covered every operation of the trimmed description', () => {
    const all = Object.entries<Json>(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(all.filter((op) => !checked.has(op))).toEqual([]);
  });
});
