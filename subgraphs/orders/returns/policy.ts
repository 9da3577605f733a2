import type { LineItem, Order, ReturnPolicyRule } from '../port';

export type EligibilityReason =
  | 'ELIGIBLE' | 'FINAL_SALE' | 'NOT_RETURNABLE_CATEGORY' | 'WINDOW_CLOSED' | 'NOT_DELIVERED' | 'ALREADY_RETURNED' | 'ORDER_CANCELLED';

export interface PolicyAnswer {
  category: string;
  country: string;
  returnable: boolean;
  /** Days after delivery; null when not returnable. */
  windowDays: number | null;
  legalMinimumDays: number | null;
  extendedUntil: Date | null;
  /** The names of the rules that decided the answer, for "why". */
  appliedRules: string[];
}

export interface Eligibility {
  lineItem: LineItem;
  eligible: boolean;
  reason: EligibilityReason;
  returnableQuantity: number;
  returnableUntil: Date | null;
  policy: PolicyAnswer;
}

const DAY = 86_400_000;
const specificity = (r: ReturnPolicyRule) => (r.category ? 2 : 0) + (r.country ? 1 : 0);

/** What the policy says for a category shipped to a country (for an order placed at `placedAt`, if known). */
export function policyFor(rules: readonly ReturnPolicyRule[], item: { category: string; country: string; placedAt?: Date | null }): PolicyAnswer {
  const applicable = rules.filter(
    (r) =>
      (r.category === null || r.category === item.category) &&
      (r.country === null || r.country === item.country) &&
      (r.ordersPlacedFrom === null || (item.placedAt != null && item.placedAt >= r.ordersPlacedFrom)) &&
      (r.ordersPlacedUntil === null || (item.placedAt != null && item.placedAt < r.ordersPlacedUntil)),
  );
  const base = { category: item.category, country: item.country, legalMinimumDays: null, extendedUntil: null };
  const blocked = applicable.find((r) => r.kind === 'NOT_RETURNABLE');
  if (blocked) return { ...base, returnable: false, windowDays: null, appliedRules: [blocked.name] };

  const window = applicable
    .filter((r) => r.kind === 'WINDOW')
    .sort((a, b) => specificity(b) - specificity(a) || (b.days ?? 0) - (a.days ?? 0))[0];
  const legal = applicable.filter((r) => r.kind === 'LEGAL_MINIMUM').sort((a, b) => (b.days ?? 0) - (a.days ?? 0))[0];
  const extension = applicable
    .filter((r) => r.kind === 'EXTENSION' && r.extendedUntil)
    .sort((a, b) => b.extendedUntil!.getTime() - a.extendedUntil!.getTime())[0];
  const days = Math.max(window?.days ?? 0, legal?.days ?? 0);
  if (days === 0 && !extension) return { ...base, returnable: false, windowDays: null, appliedRules: [] };
  return {
    ...base,
    returnable: true,
    windowDays: days,
    legalMinimumDays: legal?.days ?? null,
    extendedUntil: extension?.extendedUntil ?? null,
    appliedRules: [window, legal && (legal.days ?? 0) > (window?.days ?? 0) ? legal : undefined, extension]
      .filter((r): r is ReturnPolicyRule => Boolean(r))
      .map((r) => r.name),
  };
}

/** Whether one line item can be returned now, how many, until when, and why (not). */
export function eligibilityOf(
  rules: readonly ReturnPolicyRule[],
  order: Order,
  item: LineItem,
  alreadyReturned: number,
  now: Date,
): Eligibility {
  const policy = policyFor(rules, { category: item.category, country: order.shippingAddress.country, placedAt: order.placedAt });
  const returnableQuantity = Math.max(0, item.quantity - alreadyReturned);
  const answer = (reason: EligibilityReason, returnableUntil: Date | null = null): Eligibility => ({
    lineItem: item,
    eligible: reason === 'ELIGIBLE',
    reason,
    returnableQuantity: reason === 'ELIGIBLE' ? returnableQuantity : 0,
    returnableUntil,
    policy,
  });
  if (order.status === 'CANCELLED') return answer('ORDER_CANCELLED');
  if (item.finalSale) return answer('FINAL_SALE');
  if (!policy.returnable) return answer('NOT_RETURNABLE_CATEGORY');
  if (returnableQuantity === 0) return answer('ALREADY_RETURNED');
  if (!order.deliveredAt) return answer('NOT_DELIVERED');
  let until = new Date(order.deliveredAt.getTime() + (policy.windowDays ?? 0) * DAY);
  if (policy.extendedUntil && policy.extendedUntil > until) until = policy.extendedUntil;
  return now > until ? answer('WINDOW_CLOSED', until) : answer('ELIGIBLE', until);
}
