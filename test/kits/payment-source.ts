import type { Balance, PaymentSource } from '../../subgraphs/payments/port';
import { money } from '../../subgraphs/shared/money';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst, oldestFirst } from './batch-contract';
import type { SourceUnderTest } from './order-source';

/** What a customer owes per currency, computed from the fixtures the way the port promises. */
export function expectedBalances(data: DemoData, customerId: string, now: Date): Balance[] {
  const open = data.payments
    .filter((p) => p.customerId === customerId && p.status === 'AWAITING_PAYMENT')
    .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime() || (a.id < b.id ? -1 : 1));
  const currencies = [...new Set(open.map((p) => p.amount.currency))].sort();
  return currencies.map((currency) => {
    const mine = open.filter((p) => p.amount.currency === currency);
    const owed = (p: (typeof mine)[number]) => p.amount.amountMinor - p.captured.amountMinor;
    return {
      customerId,
      currency,
      outstanding: money(mine.reduce((s, p) => s + owed(p), 0), currency),
      overdue: money(mine.filter((p) => p.dueAt! < now).reduce((s, p) => s + owed(p), 0), currency),
      nextDueAt: mine[0].dueAt,
      paymentIds: mine.map((p) => p.id),
    };
  });
}

/**
 * The contract any payment-service adapter must meet:
 *
 *   describePaymentSource('sql on PostgreSQL', async (data) => ({ source, close }));
 */
export function describePaymentSource(name: string, create: (data: DemoData) => Promise<SourceUnderTest<PaymentSource>>): void {
  describe(`PaymentSource contract: ${name}`, () => {
    const data = generateDemoData({ customers: 32, anchor: FIXTURE_ANCHOR });
    let subject: SourceUnderTest<PaymentSource>;
    beforeAll(async () => {
      subject = await create(data);
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;
    const refundsNewestFirst = newestFirst<DemoData['refunds'][number]>((r) => r.createdAt);

    itReadsByKey('getPayments', (ids) => source().getPayments(ids), () => indexBy(data.payments, (p) => p.id));
    itReadsByKey('getRefunds', (ids) => source().getRefunds(ids), () => indexBy(data.refunds, (r) => r.id));
    itReadsByKey('getDisputes', (ids) => source().getDisputes(ids), () => indexBy(data.disputes, (d) => d.id));
    itListsByKey(
      'listPaymentsByOrder',
      (ids) => source().listPaymentsByOrder(ids),
      (id) => data.payments.filter((p) => p.orderId === id).sort(oldestFirst((p) => p.createdAt)),
      () => data.orders.map((o) => o.id),
    );
    itListsByKey(
      'listRefundsByOrder',
      (ids) => source().listRefundsByOrder(ids),
      (id) => data.refunds.filter((r) => r.orderId === id).sort(refundsNewestFirst),
      () => data.refunds.map((r) => r.orderId),
    );
    itListsByKey(
      'listRefundsByPayment',
      (ids) => source().listRefundsByPayment(ids),
      (id) => data.refunds.filter((r) => r.paymentId === id).sort(refundsNewestFirst),
      () => data.refunds.map((r) => r.paymentId),
    );
    itListsByKey(
      'listRefundsByReturn',
      (ids) => source().listRefundsByReturn(ids),
      (id) => data.refunds.filter((r) => r.returnId === id).sort(refundsNewestFirst),
      () => data.refunds.map((r) => r.returnId!),
    );
    itListsByKey(
      'listRefundsByCustomer (first 1)',
      (ids) => source().listRefundsByCustomer(ids, 1),
      (id) => data.refunds.filter((r) => r.customerId === id).sort(refundsNewestFirst).slice(0, 1),
      () => data.refunds.map((r) => r.customerId),
    );
    const disputesNewestFirst = newestFirst<DemoData['disputes'][number]>((d) => d.openedAt);
    itListsByKey(
      'listDisputesByOrder',
      (ids) => source().listDisputesByOrder(ids),
      (id) => data.disputes.filter((d) => d.orderId === id).sort(disputesNewestFirst),
      () => data.disputes.map((d) => d.orderId),
    );
    itListsByKey(
      'listDisputesByCustomer',
      (ids) => source().listDisputesByCustomer(ids),
      (id) => data.disputes.filter((d) => d.customerId === id).sort(disputesNewestFirst),
      () => data.disputes.map((d) => d.customerId),
    );
    itListsByKey(
      'listOpenBalancesByCustomer',
      (ids) => source().listOpenBalancesByCustomer(ids, FIXTURE_ANCHOR),
      (id) => expectedBalances(data, id, FIXTURE_ANCHOR),
      () => [...new Set(data.payments.filter((p) => p.status === 'AWAITING_PAYMENT').map((p) => p.customerId))],
    );
    it('the fixtures hold both overdue and not-yet-due balances', () => {
      const balances = data.customers.flatMap((c) => expectedBalances(data, c.id, FIXTURE_ANCHOR));
      expect(balances.some((b) => b.overdue.amountMinor > 0)).toBe(true);
      expect(balances.some((b) => b.overdue.amountMinor === 0 && b.outstanding.amountMinor > 0)).toBe(true);
    });
    describe('writes', () => {
      it('records a promise to pay once per key, listed with the customer’s open promises', async () => {
        const customer = data.customers[3];
        const promise = {
          id: 'ptp_kit', customerId: customer.id, amount: money(1000, 'EUR'), promisedFor: '2026-12-01', status: 'OPEN' as const,
          channel: 'VOICE', agentId: 'a1', note: null, createdAt: new Date('2026-11-20T10:00:00Z'),
        };
        await expect(source().createPromise(promise, 'kit-ptp')).resolves.toEqual(promise);
        await expect(source().createPromise({ ...promise, id: 'ptp_kit_2', createdAt: new Date() }, 'kit-ptp')).resolves.toEqual(promise);
        await expect(source().createPromise({ ...promise, id: 'ptp_kit_3', promisedFor: '2026-12-02' }, 'kit-ptp')).rejects.toMatchObject({ code: 'CONFLICT' });
        await expect(source().listOpenPromisesByCustomer([customer.id])).resolves.toEqual([[promise]]);
      });

      it('keeps one expected refund per return, cancellable while pending', async () => {
        const payment = data.payments.find((p) => p.status === 'CAPTURED')!;
        const refund = {
          id: 'rf_kit', paymentId: payment.id, orderId: payment.orderId, customerId: payment.customerId, returnId: 'ret_kit', status: 'PENDING' as const,
          amount: money(500, payment.amount.currency), reason: 'return', createdAt: new Date('2026-11-20T10:00:00Z'),
          expectedBy: new Date('2026-11-27T10:00:00Z'), completedAt: null, failureReason: null,
        };
        await expect(source().createExpectedRefund(refund)).resolves.toEqual(refund);
        await expect(source().createExpectedRefund({ ...refund, id: 'rf_kit_2' })).resolves.toEqual(refund);
        await expect(source().cancelPendingRefund('ret_kit')).resolves.toBe(true);
        await expect(source().cancelPendingRefund('ret_kit')).resolves.toBe(false);
        await expect(source().getRefunds(['rf_kit'])).resolves.toEqual([{ ...refund, status: 'CANCELLED' }]);
      });
    });

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
