import type { OrdersContext } from '../context';

/** "#nw 100234", "nw-100234", "100234" → "NW-100234": the forms a customer says or types. */
export function normalizeOrderNumber(input: string): string | null {
  const compact = input.trim().replace(/^#/, '').replace(/[\s_-]+/g, '').toUpperCase();
  const match = /^(NW)?(\d{4,})$/.exec(compact);
  return match ? `NW-${match[2]}` : null;
}

export const Query = {
  order: (_: unknown, args: { id: string }, ctx: OrdersContext) => ctx.loaders.order.load(args.id),
  orderByNumber: (_: unknown, args: { number: string }, ctx: OrdersContext) => {
    const number = normalizeOrderNumber(args.number);
    return number ? ctx.loaders.orderByNumber.load(number) : null;
  },
  return: (_: unknown, args: { id: string }, ctx: OrdersContext) => ctx.loaders.return.load(args.id),
};
