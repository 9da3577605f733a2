import type { OrdersContext } from '../context';

// Representations carry scalars as sent: the period arrives as ISO strings.
export const ContactRateReport = {
  __resolveReference: (ref: { from: string; to: string }) => ({ from: new Date(ref.from), to: new Date(ref.to) }),
  orderCount: (report: { from: Date; to: Date }, _: unknown, ctx: OrdersContext) => ctx.source.countOrdersPlaced(report.from, report.to),
};
