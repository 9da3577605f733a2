import { actorFor, requireActor, visible } from '../../shared/auth';
import { AppError, badInput, ErrorCode } from '../../shared/errors';
import { callerKey } from '../../shared/idempotency';
import { money } from '../../shared/money';
import type { OrdersContext } from '../context';
import type { Order, Return, ReturnItem, ReturnReason } from '../port';
import { orderEligibility, returnedQuantities } from './eligibility';
import type { Eligibility, EligibilityReason } from './policy';

export interface InitiateReturnInput {
  orderId: string;
  items: { lineItemId: string; quantity: number; reason: ReturnReason }[];
  idempotencyKey: string;
}

const MAX_ITEMS = 50;

/**
 * The return saga: check every item against the policy (refuse the whole return if any item may
 * not go back: nothing is created), write the RMA once per idempotency key, then the label
 * (logistics) and the expected refund (payments). If those fail on a first attempt, undo all of
 * it; on a repeat, leave the RMA for the next repeat to complete (every step is idempotent).
 */
export async function initiateReturn(ctx: OrdersContext, input: InitiateReturnInput) {
  if (input.items.length === 0) throw badInput('A return needs at least one item', { argument: 'items' });
  if (input.items.length > MAX_ITEMS) throw badInput(`A return takes at most ${MAX_ITEMS} items`, { argument: 'items' });
  if (new Set(input.items.map((i) => i.lineItemId)).size !== input.items.length) {
    throw badInput('Each line item may appear once in a return', { argument: 'items' });
  }
  requireActor(ctx.viewer);
  const key = callerKey(ctx.viewer, input.idempotencyKey);
  const order = visible(ctx.viewer, await ctx.loaders.order.load(input.orderId));
  if (!order) throw new AppError(ErrorCode.NOT_FOUND, 'No order with this id', { argument: 'orderId' });
  actorFor(ctx.viewer, order.customerId);
  const eligibility = await orderEligibility(ctx, order);
  const byId = new Map(eligibility.map((e) => [e.lineItem.id, e]));
  // Messages name the item by its place in the input, never by the id the client sent.
  for (const [i, item] of input.items.entries()) {
    const judged = byId.get(item.lineItemId);
    if (!judged) throw badInput(`items[${i}].lineItemId is not a line item of order ${order.number}`, { argument: `items[${i}].lineItemId` });
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > judged.lineItem.quantity) {
      throw badInput(`items[${i}].quantity must be between 1 and the ${judged.lineItem.quantity} bought`, { argument: `items[${i}].quantity` });
    }
  }

  const items: ReturnItem[] = input.items.map(({ lineItemId, quantity, reason }) => ({ lineItemId, quantity, reason }));
  const asked = { orderId: order.id, customerId: order.customerId, items };
  // A repeat of a return already made is answered as made: its items are no longer returnable.
  const earlier = await ctx.source.findReturnByIdempotencyKey(key, asked);
  if (earlier) return complete(ctx, order, earlier, true, key, byId);

  const refusals = input.items
    .map((item) => {
      const judged = byId.get(item.lineItemId)!;
      const reason: EligibilityReason | null = !judged.eligible
        ? judged.reason
        : item.quantity > judged.returnableQuantity
          ? 'ALREADY_RETURNED'
          : null;
      return reason ? { lineItem: judged.lineItem, reason } : null;
    })
    .filter((r) => r !== null);
  if (refusals.length) return { status: 'REFUSED' as const, return: null, refusals };

  const { ret, replayed } = await ctx.source.createReturn(
    asked,
    key,
    (existing) => {
      // Inside the write, with the order locked: another return may have taken these items meanwhile.
      const returned = returnedQuantities(existing);
      for (const item of items) {
        const bought = byId.get(item.lineItemId)!.lineItem.quantity;
        if ((returned.get(item.lineItemId) ?? 0) + item.quantity > bought) {
          throw new AppError(ErrorCode.CONFLICT, `Line item ${item.lineItemId} was returned meanwhile`, { argument: 'items' });
        }
      }
    },
  );

  return complete(ctx, order, ret, replayed, key, byId);
}

/** The saga's second half: label and expected refund for a written return (both idempotent per return). */
async function complete(
  ctx: OrdersContext,
  order: Order,
  ret: Return,
  replayed: boolean,
  idempotencyKey: string,
  byId: Map<string, Eligibility>,
) {
  const amount = ret.items.reduce((sum, i) => sum + byId.get(i.lineItemId)!.lineItem.unitPrice.amountMinor * i.quantity, 0);
  const { fulfilment } = ctx.services;
  try {
    // The whole address, field by field: the carrier makes the label from it (the country alone is refused).
    const { name, line1, line2, city, region, postalCode, country } = order.shippingAddress;
    const sender = { name, line1, line2, city, region, postalCode, country };
    await fulfilment.issueReturnLabel({ returnId: ret.id, orderId: order.id, customerId: order.customerId, rma: ret.rma, country, sender });
    await fulfilment.registerExpectedRefund({
      returnId: ret.id,
      orderId: order.id,
      customerId: order.customerId,
      amount: money(amount, order.currency),
      reason: `return ${ret.rma}`,
    });
  } catch (err) {
    if (!replayed) {
      await Promise.allSettled([fulfilment.voidReturnLabel(ret.id), fulfilment.cancelExpectedRefund(ret.id)]);
      await ctx.source.abandonReturn(ret, idempotencyKey);
    }
    throw err;
  }
  ctx.loaders.returnsByOrder.clear(order.id);
  return { status: 'CREATED' as const, return: ret, refusals: [] };
}
