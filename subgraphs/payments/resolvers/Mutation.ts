import { randomUUID } from 'node:crypto';
import { CHANNELS, actorFor, requireService, type Channel } from '../../shared/auth';
import { AppError, badInput, ErrorCode } from '../../shared/errors';
import { callerKey } from '../../shared/idempotency';
import { money } from '../../shared/money';
import { redactCardNumbers } from '../../shared/pii';
import type { PaymentsContext } from '../context';
import type { PaymentMethodType } from '../port';

const DAY = 86_400_000;
const MAX_PROMISE_DAYS = 60;
/** How long a refund takes to reach the customer, by how they paid. */
const REFUND_DAYS: Record<PaymentMethodType, number> = { CARD: 7, APPLE_PAY: 7, PAYPAL: 3, KLARNA_PAY_LATER: 1, INVOICE: 1, GIFT_CARD: 1 };
const newId = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
const today = () => new Date().toISOString().slice(0, 10);

interface PromiseToPayInput {
  customerId: string;
  currency: string;
  amountMinor?: number | null;
  promisedFor: string;
  channel: string;
  agentId?: string | null;
  note?: string | null;
  idempotencyKey: string;
}

export const Mutation = {
  erasePaymentData: (_: unknown, args: { customerId: string }, ctx: PaymentsContext) => {
    requireService(ctx.viewer, 'erasePaymentData');
    return ctx.source.eraseCustomer(args.customerId, new Date()).then((records) => ({ records, system: ctx.source.privacy.erasure }));
  },
  promiseToPay: async (_: unknown, { input }: { input: PromiseToPayInput }, ctx: PaymentsContext) => {
    const currency = input.currency.trim().toUpperCase();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.promisedFor) || Number.isNaN(Date.parse(input.promisedFor))) {
      throw badInput('promisedFor must be a date as YYYY-MM-DD', { argument: 'promisedFor' });
    }
    const latest = new Date(Date.now() + MAX_PROMISE_DAYS * DAY).toISOString().slice(0, 10);
    if (input.promisedFor < today() || input.promisedFor > latest) {
      throw badInput(`promisedFor must be between today and ${MAX_PROMISE_DAYS} days from now`, { argument: 'promisedFor' });
    }
    if (!CHANNELS.includes(input.channel as Channel)) throw badInput('channel must be a channel name such as VOICE', { argument: 'channel' });
    // Recorded as who the token says is writing; someone else's balance does not exist for them.
    const actor = actorFor(ctx.viewer, input.customerId, input.channel as Channel);
    if ((input.note?.length ?? 0) > 1_000) throw badInput('note takes at most 1,000 characters', { argument: 'note' });
    const balance = (await ctx.loaders.openBalancesByCustomer.load(input.customerId)).find((b) => b.currency === currency);
    if (!balance) throw badInput(`There is no open ${currency} balance for this customer`, { argument: 'currency' });
    const amountMinor = input.amountMinor ?? balance.outstanding.amountMinor;
    if (!Number.isInteger(amountMinor) || amountMinor < 1 || amountMinor > balance.outstanding.amountMinor) {
      throw badInput(`amountMinor must be between 1 and the ${balance.outstanding.amountMinor} outstanding`, { argument: 'amountMinor' });
    }
    return ctx.source.createPromise(
      {
        id: newId('ptp'),
        customerId: input.customerId,
        amount: money(amountMinor, currency),
        promisedFor: input.promisedFor,
        status: 'OPEN',
        channel: actor.channel ?? input.channel,
        agentId: ctx.viewer.kind === 'service' ? (input.agentId ?? null) : actor.agentId,
        note: redactCardNumbers(input.note ?? null),
        createdAt: new Date(),
      },
      callerKey(ctx.viewer, input.idempotencyKey),
    );
  },

  registerExpectedRefund: async (
    _: unknown,
    { input }: { input: { returnId: string; orderId: string; customerId: string; amountMinor: number; currency: string; reason: string } },
    ctx: PaymentsContext,
  ) => {
    requireService(ctx.viewer, 'registerExpectedRefund');
    const payments = await ctx.loaders.paymentsByOrder.load(input.orderId);
    const payment = payments.find((p) => p.amount.currency === input.currency && p.status !== 'FAILED' && p.status !== 'VOIDED');
    if (!payment) throw new AppError(ErrorCode.NOT_FOUND, 'The order has no payment to refund', { argument: 'orderId' });
    const refundable = payment.amount.amountMinor - payment.refunded.amountMinor;
    if (input.amountMinor < 1 || input.amountMinor > refundable) {
      throw badInput(`amountMinor must be between 1 and the ${refundable} still refundable`, { argument: 'amountMinor' });
    }
    const now = new Date();
    return ctx.source.createExpectedRefund({
      id: newId('rf'),
      paymentId: payment.id,
      orderId: input.orderId,
      customerId: input.customerId,
      returnId: input.returnId,
      status: 'PENDING',
      amount: money(input.amountMinor, input.currency),
      reason: input.reason,
      createdAt: now,
      expectedBy: new Date(now.getTime() + REFUND_DAYS[payment.method.type] * DAY),
      completedAt: null,
      failureReason: null,
    });
  },

  cancelExpectedRefund: (_: unknown, args: { returnId: string }, ctx: PaymentsContext) => {
    requireService(ctx.viewer, 'cancelExpectedRefund');
    return ctx.source.cancelPendingRefund(args.returnId);
  },
};
