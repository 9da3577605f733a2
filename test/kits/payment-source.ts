import type { Balance, PaymentSystem } from '../../subgraphs/payments/port';
import type { CustomerLink } from '../../subgraphs/shared/identity';
import { money } from '../../subgraphs/shared/money';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { itLinksCustomers, indexBy, itListsByKey, itReadsByKey, MISSING_KEY, newestFirst, oldestFirst } from './batch-contract';
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

/** A payment system under test: `held` is the fixtures as the system holds them (see order-source.ts). */
export interface SystemUnderTest<System> extends SourceUnderTest<System> {
  held?: DemoData;
  /** Each graph customer and the system's customer for them, when the system's ids differ. */
  customerLinks?: CustomerLink[];
}

/**
 * The contract any payment-system adapter (the system-of-record port) must meet:
 *
 *   describePaymentSystem('stripe', async (data) => ({ source, close, held, customerLinks }));
 *
 * The factory loads the fixtures into the system through its own API and answers `held`, the same
 * fixtures as the system holds them (its ids, its customer ids, what it stamps); the kit compares
 * against `held` (against the fixtures themselves when there is none).
 */
export function describePaymentSystem(name: string, create: (data: DemoData) => Promise<SystemUnderTest<PaymentSystem>>): void {
  describe(`PaymentSystem contract: ${name}`, () => {
    const given = generateDemoData({ customers: 32, anchor: FIXTURE_ANCHOR });
    let subject: SystemUnderTest<PaymentSystem>;
    // Every expectation reads the fixtures as the system holds them.
    let data = given;
    beforeAll(async () => {
      subject = await create(given);
      data = subject.held ?? given;
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
    // Without listRefundsByReturn the graph finds a return's refunds among its order's by returnId.
    itListsByKey(
      'each return’s refunds (listRefundsByReturn, or the order’s refunds naming the return)',
      async (ids) => {
        const system = source();
        if (system.listRefundsByReturn) return system.listRefundsByReturn(ids);
        const orderOf = new Map(data.refunds.map((r) => [r.returnId, r.orderId]));
        const orderIds = [...new Set(ids.map((id) => orderOf.get(id)).filter((id): id is string => Boolean(id)))];
        const byOrder = orderIds.length ? (await system.listRefundsByOrder(orderIds)).flat() : [];
        return ids.map((id) => byOrder.filter((r) => r.returnId === id));
      },
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
      const customers = [...new Set(data.payments.map((p) => p.customerId))];
      const balances = customers.flatMap((id) => expectedBalances(data, id, FIXTURE_ANCHOR));
      expect(balances.some((b) => b.overdue.amountMinor > 0)).toBe(true);
      expect(balances.some((b) => b.overdue.amountMinor === 0 && b.outstanding.amountMinor > 0)).toBe(true);
    });
    itLinksCustomers(source, () => subject.customerLinks);

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
