import type { OrdersContext } from '../context';
import type { LineItem, Order, Return } from '../port';
import { eligibilityOf, type Eligibility } from './policy';

/** Returns that still count against an item's quantity. */
const counts = (ret: Return) => ret.status !== 'REJECTED' && ret.status !== 'CANCELLED';

export function returnedQuantities(returns: readonly Return[]): Map<string, number> {
  const returned = new Map<string, number>();
  for (const ret of returns.filter(counts)) {
    for (const item of ret.items) returned.set(item.lineItemId, (returned.get(item.lineItemId) ?? 0) + item.quantity);
  }
  return returned;
}

/** Each of the order's line items, judged by the return policy as of `now`. */
export async function orderEligibility(ctx: OrdersContext, order: Order, now = new Date()): Promise<Eligibility[]> {
  const [items, returns, rules] = await Promise.all([
    ctx.loaders.lineItemsByOrder.load(order.id),
    ctx.loaders.returnsByOrder.load(order.id),
    ctx.loaders.returnPolicy(),
  ]);
  const returned = returnedQuantities(returns);
  return items.map((item: LineItem) => eligibilityOf(rules, order, item, returned.get(item.id) ?? 0, now));
}
