import type { LineItem, Order } from '../port';
import { DEFAULT_RETURN_POLICY } from './default-policy';
import { eligibilityOf, policyFor } from './policy';

const DAY = 86_400_000;
const now = new Date('2026-06-15T12:00:00Z');
const order = (overrides: Partial<Order> = {}): Order =>
  ({
    id: 'ord_1', status: 'DELIVERED', placedAt: new Date(now.getTime() - 20 * DAY), deliveredAt: new Date(now.getTime() - 10 * DAY),
    shippingAddress: { country: 'DE' }, ...overrides,
  }) as Order;
const item = (overrides: Partial<LineItem> = {}): LineItem =>
  ({ id: 'li_1', orderId: 'ord_1', category: 'apparel', quantity: 2, finalSale: false, ...overrides }) as LineItem;

describe('the return policy as data', () => {
  it('takes the most specific window: shoes get 60 days, the rest 30', () => {
    expect(policyFor(DEFAULT_RETURN_POLICY, { category: 'shoes', country: 'US', placedAt: now })).toMatchObject({ returnable: true, windowDays: 60 });
    expect(policyFor(DEFAULT_RETURN_POLICY, { category: 'apparel', country: 'US', placedAt: now })).toMatchObject({ windowDays: 30, legalMinimumDays: null });
  });

  it('raises a shorter window to the legal minimum where there is one', () => {
    const rules = [...DEFAULT_RETURN_POLICY, { ...DEFAULT_RETURN_POLICY[0], id: 'x', kind: 'WINDOW' as const, category: 'toys', days: 7 }];
    expect(policyFor(rules, { category: 'toys', country: 'FR', placedAt: now })).toMatchObject({ windowDays: 14, legalMinimumDays: 14 });
    expect(policyFor(rules, { category: 'toys', country: 'US', placedAt: now })).toMatchObject({ windowDays: 7, legalMinimumDays: null });
  });

  it('never returns a not-returnable category', () => {
    expect(policyFor(DEFAULT_RETURN_POLICY, { category: 'gift-cards', country: 'DE', placedAt: now })).toMatchObject({ returnable: false, windowDays: null, appliedRules: ['Gift cards'] });
  });

  it('applies a promotion only to orders placed in its period', () => {
    const inSeason = policyFor(DEFAULT_RETURN_POLICY, { category: 'apparel', country: 'US', placedAt: new Date('2026-12-01T00:00:00Z') });
    expect(inSeason.extendedUntil?.toISOString()).toBe('2027-01-31T23:59:59.000Z');
    expect(policyFor(DEFAULT_RETURN_POLICY, { category: 'apparel', country: 'US', placedAt: new Date('2026-10-01T00:00:00Z') }).extendedUntil).toBeNull();
  });
});

describe('eligibility of a line item', () => {
  const judge = (o: Order, i: LineItem, returned = 0) => eligibilityOf(DEFAULT_RETURN_POLICY, o, i, returned, now);

  it('is eligible within the window, until delivery plus the window', () => {
    const e = judge(order(), item());
    expect(e).toMatchObject({ eligible: true, reason: 'ELIGIBLE', returnableQuantity: 2 });
    expect(e.returnableUntil).toEqual(new Date(now.getTime() + 20 * DAY));
  });

  it.each([
    ['a final-sale item', order(), item({ finalSale: true }), 0, 'FINAL_SALE'],
    ['a cancelled order', order({ status: 'CANCELLED' }), item(), 0, 'ORDER_CANCELLED'],
    ['an undelivered order', order({ deliveredAt: null, status: 'SHIPPED' }), item(), 0, 'NOT_DELIVERED'],
    ['a window that closed', order({ deliveredAt: new Date(now.getTime() - 31 * DAY) }), item(), 0, 'WINDOW_CLOSED'],
    ['an item returned in full', order(), item(), 2, 'ALREADY_RETURNED'],
    ['a not-returnable category', order(), item({ category: 'gift-cards' }), 0, 'NOT_RETURNABLE_CATEGORY'],
  ])('refuses %s', (_, o, i, returned, reason) => {
    expect(judge(o, i, returned)).toMatchObject({ eligible: false, reason, returnableQuantity: 0 });
  });

  it('leaves what was not yet returned returnable', () => {
    expect(judge(order(), item(), 1)).toMatchObject({ eligible: true, returnableQuantity: 1 });
  });
});
