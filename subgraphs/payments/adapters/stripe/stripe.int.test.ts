import Stripe from 'stripe';
import { generateDemoData } from '../../../../test/fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../../../../test/helpers/stack';
import { describePaymentSystem } from '../../../../test/kits/payment-source';
import { sdkFor, startStripe, type StartedStripe } from '../../../../test/standins/stripe';
import { adapterSettingsFromEnv, createAdapter } from '../../../shared/adapter';
import type { AppError } from '../../../shared/errors';
import { findCardNumbersInTokens } from '../../../shared/pii';
import { createLogger } from '../../../shared/logger';
import { requestDeadline } from '../../../shared/resilience';
import { createVendorCallFactory } from '../../../shared/vendor';
import type { PaymentSystem } from '../../port';
import { paymentAdapters } from '..';
import { createStripeClient } from './client';
import { createStripePaymentSystem, stripeConfig } from '.';

const configFor = (s: { host: string; port: number; secretKey: string; webhookSecret: string }) =>
  stripeConfig.parse({ secretKey: s.secretKey, apiHost: s.host, apiPort: String(s.port), apiProtocol: 'http', webhookSecret: s.webhookSecret, requestsPerSecond: '1000' });
const logger = createLogger('test', 'silent');
/** The shared discipline in process (no Redis): a fresh one where a 429's pause must not outlive its test. */
const vendorCallsFor = (backendTimeoutMs = 2_000) => createVendorCallFactory({ service: 'payments', namespace: `test-stripe-${process.pid}`, backendTimeoutMs, logger });

describePaymentSystem('stripe against the stand-in', async (data) => {
  const stripe = await startStripe(data);
  const source = createStripePaymentSystem(configFor(stripe), { logger, vendorCalls: vendorCallsFor(5_000) });
  return { source, close: stripe.close, held: stripe.held, customerLinks: stripe.links };
});

describe('the Stripe adapter against the stand-in: webhooks, faults, writes', () => {
  const data = generateDemoData({ customers: 17, anchor: FIXTURE_ANCHOR });
  let stripe: StartedStripe;
  let system: PaymentSystem;
  beforeAll(async () => {
    stripe = await startStripe(data);
  });
  beforeEach(() => {
    system = createStripePaymentSystem(configFor(stripe), { logger, vendorCalls: vendorCallsFor() });
  });
  afterAll(() => stripe?.close());
  afterEach(() => stripe.standIn.clearFaults());
  const held = () => stripe.held;
  const webhook = () => system.webhooks![0];
  const signed = (event: object, at?: number, secret?: string) => {
    const body = JSON.stringify(event);
    return { body, headers: { 'stripe-signature': stripe.standIn.sign(body, at, secret) } };
  };
  const receive = (event: object, at?: number, secret?: string) => {
    const { body, headers } = signed(event, at, secret);
    return webhook().receive(body, headers);
  };

  describe('webhooks (Stripe-Signature verified by the SDK)', () => {
    it('translates charge.refunded into the payment and its refunds, with Stripe’s customer id and the return', async () => {
      const refund = held().refunds.find((r) => r.status === 'SUCCEEDED')!;
      const charge = (await sdkFor(stripe).paymentIntents.retrieve(refund.paymentId)).latest_charge as string;
      const delivery = await receive(stripe.standIn.event('charge.refunded', charge));
      expect(delivery.changes).toEqual([
        { type: 'payment.updated', data: { paymentId: refund.paymentId, orderId: refund.orderId, customerId: refund.customerId } },
        { type: 'refund.updated', data: { refundId: refund.id, orderId: refund.orderId, customerId: refund.customerId, returnId: refund.returnId } },
      ]);
      expect(refund.customerId).toMatch(/^cus_/);
    });

    it('translates refund.*, charge.dispute.*, payment_intent.* and invoice.* events; customer.created gives a link', async () => {
      const refund = held().refunds[0];
      expect((await receive(stripe.standIn.event('refund.updated', refund.id))).changes[0]).toEqual({ type: 'refund.updated', data: { refundId: refund.id, orderId: refund.orderId, customerId: refund.customerId, returnId: refund.returnId } });
      const dispute = held().disputes[0];
      expect((await receive(stripe.standIn.event('charge.dispute.created', dispute.id))).changes[0]).toEqual({ type: 'dispute.updated', data: { disputeId: dispute.id, orderId: dispute.orderId, customerId: dispute.customerId } });
      const payment = held().payments.find((p) => p.id.startsWith('pi_'))!;
      expect((await receive(stripe.standIn.event('payment_intent.succeeded', payment.id))).changes).toEqual([{ type: 'payment.updated', data: { paymentId: payment.id, orderId: payment.orderId, customerId: payment.customerId } }]);
      const invoice = held().payments.find((p) => p.id.startsWith('in_'))!;
      expect((await receive(stripe.standIn.event('invoice.overdue', invoice.id))).changes).toEqual([
        { type: 'payment.updated', data: { paymentId: invoice.id, orderId: invoice.orderId, customerId: invoice.customerId } },
        { type: 'balance.updated', data: { customerId: invoice.customerId } },
      ]);
      const link = stripe.links[0];
      expect(await receive(stripe.standIn.event('customer.created', link.systemCustomerId))).toMatchObject({ changes: [], links: [link] });
    });

    it('acknowledges a signed event of a type the graph does not use with no changes', async () => {
      const event = { ...stripe.standIn.event('customer.created', stripe.links[0].systemCustomerId), type: 'payout.paid' } as { id: string; type: string };
      await expect(receive(event)).resolves.toEqual({ id: event.id, changes: [] });
    });

    it('refuses a bad or missing signature and a timestamp outside the tolerance (401), and what is not a Stripe event (400)', async () => {
      const event = stripe.standIn.event('payment_intent.succeeded', held().payments[0].id);
      await expect(receive(event, undefined, 'whsec_not_the_secret')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      await expect(webhook().receive(JSON.stringify(event), {})).rejects.toMatchObject({ status: 401 });
      await expect(receive(event, Math.floor(Date.now() / 1000) - 301)).rejects.toMatchObject({ status: 401 });
      await expect(receive(event, Math.floor(Date.now() / 1000) - 200)).resolves.toMatchObject({ id: event.id });
      const tampered = signed(event);
      await expect(webhook().receive(tampered.body.replace(held().payments[0].id, 'pi_other'), tampered.headers)).rejects.toMatchObject({ status: 401 });
      await expect(receive({ hello: 'world' })).rejects.toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      const notJson = 'not json';
      await expect(webhook().receive(notJson, { 'stripe-signature': stripe.standIn.sign(notJson) })).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('faults, through the vendor-call discipline, within the request’s deadline', () => {
    const payment = () => held().payments.find((p) => p.id.startsWith('pi_'))!;
    const within = async <T>(deadlineMs: number, read: () => Promise<T>) => {
      const started = Date.now();
      const outcome = await requestDeadline.run(started + deadlineMs, read).then((value) => ({ value }), (error) => ({ error }));
      return { ...outcome, elapsed: Date.now() - started } as { value?: T; error?: AppError; elapsed: number };
    };

    it('429 with a Retry-After that fits: retried, answered', async () => {
      stripe.standIn.fault({ path: `/v1/payment_intents/${payment().id}`, kind: '429', times: 1, retryAfterSeconds: 0.2 });
      const { value, elapsed } = await within(1_500, () => system.getPayments([payment().id]));
      expect(value).toEqual([payment()]);
      expect(elapsed).toBeGreaterThanOrEqual(190);
    });

    it('429 with a Retry-After past the deadline: OVERLOADED at once, the service named', async () => {
      stripe.standIn.fault({ path: `/v1/payment_intents/${payment().id}`, kind: '429', retryAfterSeconds: 30 });
      const { error, elapsed } = await within(800, () => system.getPayments([payment().id]));
      expect(error).toMatchObject({ code: 'OVERLOADED', details: expect.objectContaining({ service: 'payments' }) });
      expect(elapsed).toBeLessThan(800);
    });

    it('500s: retried, then BACKEND_UNAVAILABLE; one 500: answered', async () => {
      stripe.standIn.fault({ path: /^\/v1\/payment_intents\/search$/, kind: '500', times: 1 });
      await expect(within(1_500, () => system.listPaymentsByOrder([payment().orderId]))).resolves.toMatchObject({ value: [expect.arrayContaining([payment()])] });
      stripe.standIn.fault({ path: /^\/v1\/payment_intents\/search$/, kind: '500' });
      const { error, elapsed } = await within(1_500, () => system.listPaymentsByOrder([payment().orderId]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.not.stringMatching(/unknown error|stripe/i) });
      expect(elapsed).toBeLessThan(1_500 + 400);
    });

    it('a hang: BACKEND_TIMEOUT within the deadline', async () => {
      stripe.standIn.fault({ path: /^\/v1\/invoices/, kind: 'hang' });
      const customer = held().payments.find((p) => p.status === 'AWAITING_PAYMENT')!.customerId;
      const { error, elapsed } = await within(600, () => system.listOpenBalancesByCustomer([customer], FIXTURE_ANCHOR));
      expect(error).toMatchObject({ code: 'BACKEND_TIMEOUT', details: { service: 'payments' } });
      expect(elapsed).toBeLessThan(600 + 400);
    });

    it('a dropped connection: BACKEND_UNAVAILABLE within the deadline', async () => {
      stripe.standIn.fault({ path: /^\/v1\/disputes\//, kind: 'drop' });
      const { error, elapsed } = await within(1_000, () => system.getDisputes([held().disputes[0].id]));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect(elapsed).toBeLessThan(1_000 + 400);
    });
  });

  describe('writes', () => {
    it('an idempotent write is never doubled: the answer lost on a dropped connection, the retry replays it', async () => {
      const client = createStripeClient(configFor(stripe), { vendorCalls: vendorCallsFor(), logger });
      const payment = held().payments.find((p) => p.status === 'CAPTURED' && p.id.startsWith('pi_'))!;
      const before = (await sdkFor(stripe).refunds.list({ payment_intent: payment.id })).data.length;
      stripe.standIn.fault({ path: '/v1/refunds', method: 'POST', kind: 'drop-after', times: 1 });
      stripe.standIn.fault({ path: '/v1/refunds', method: 'POST', kind: '500', times: 1 });
      const refund = await client.write('refunds.create', 'kit-refund-1', (options) => client.stripe.refunds.create({ payment_intent: payment.id, amount: 100 }, options));
      const sent = stripe.standIn.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.idempotencyKey === 'kit-refund-1');
      expect(sent.length).toBeGreaterThanOrEqual(3);
      const after = (await sdkFor(stripe).refunds.list({ payment_intent: payment.id })).data;
      expect(after).toHaveLength(before + 1);
      expect(after.map((r) => r.id)).toContain(refund.id);
    });

    it('erasure deletes the Stripe customer once, keeping its payments (Stripe keeps them for bookkeeping)', async () => {
      const link = stripe.links[1];
      // A 500 first: a DELETE is idempotent by nature, so the discipline retries it.
      stripe.standIn.fault({ path: `/v1/customers/${link.systemCustomerId}`, method: 'DELETE', kind: '500', times: 1 });
      await expect(system.eraseCustomer(link.systemCustomerId, new Date('2026-11-25T10:00:00Z'))).resolves.toBe(1);
      expect(await sdkFor(stripe).customers.retrieve(link.systemCustomerId)).toMatchObject({ id: link.systemCustomerId, deleted: true });
      // A repeat finds nothing left to delete.
      await expect(system.eraseCustomer(link.systemCustomerId, new Date('2026-11-25T10:05:00Z'))).resolves.toBe(0);
      expect(system.privacy).toMatchObject({ erasure: { system: 'stripe', action: 'DELETED' } });
      await expect(system.listPaymentsByOrder([held().payments.find((p) => p.customerId === link.systemCustomerId)!.orderId])).resolves.toEqual([expect.arrayContaining([expect.objectContaining({ customerId: link.systemCustomerId })])]);
    });

    it('exports what Stripe holds of a customer: payments with brand and last 4 only, refunds, disputes', async () => {
      const customerId = held().disputes[0].customerId;
      const exported = await system.exportCustomer(customerId);
      expect(exported).toMatchObject({
        payments: expect.arrayContaining(held().payments.filter((p) => p.customerId === customerId)),
        disputes: held().disputes.filter((d) => d.customerId === customerId),
      });
      expect(findCardNumbersInTokens(JSON.stringify(exported))).toEqual([]);
    });
  });
});

describe('Stripe adapter settings (PAYMENTS_STRIPE_*)', () => {
  const deps = { db: undefined as never, logger, vendorCalls: vendorCallsFor() };
  it('has no default for the secret key, and a bad one is refused naming its variable, never its value', async () => {
    await expect(createAdapter(paymentAdapters, 'stripe', adapterSettingsFromEnv('payments', 'stripe', {}), deps, 'payments')).rejects.toThrow(/PAYMENTS_STRIPE_SECRET_KEY/);
    const refusal = createAdapter(paymentAdapters, 'stripe', adapterSettingsFromEnv('payments', 'stripe', { PAYMENTS_STRIPE_SECRET_KEY: 'pk_live_oops123', PAYMENTS_STRIPE_WEBHOOK_SECRET: 'whsec_ok' }), deps, 'payments');
    await expect(refusal).rejects.toThrow(/PAYMENTS_STRIPE_SECRET_KEY/);
    await expect(refusal).rejects.not.toThrow(/oops123/);
  });
  it('reads the rest from the environment with Stripe’s defaults', () => {
    const config = stripeConfig.parse(adapterSettingsFromEnv('payments', 'stripe', { PAYMENTS_STRIPE_SECRET_KEY: 'sk_test_abc', PAYMENTS_STRIPE_ORDER_METADATA_KEY: 'shop_order' }));
    expect(config).toMatchObject({ apiHost: 'api.stripe.com', apiPort: 443, apiProtocol: 'https', apiVersion: Stripe.API_VERSION, requestsPerSecond: 100, customerMetadataKey: 'graph_customer_id', orderMetadataKey: 'shop_order', returnMetadataKey: 'return_id', webhookToleranceSeconds: 300 });
    expect(config.webhookSecret).toBeUndefined();
  });
});
