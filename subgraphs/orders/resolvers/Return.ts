import { visible } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { formatDate, text } from '../../shared/i18n';
import type { OrdersContext } from '../context';
import type { ReturnItem, Return as ReturnModel } from '../port';
import type { Eligibility, EligibilityReason } from '../returns/policy';

export const Return = {
  asOf,
  __resolveReference: async (ref: { id: string }, ctx: OrdersContext) => visible(ctx.viewer, await ctx.loaders.return.load(ref.id)),
  order: (ret: ReturnModel, _: unknown, ctx: OrdersContext) => ctx.loaders.order.load(ret.orderId),
  statusText: (ret: ReturnModel, args: { locale?: string | null }) => text('returnStatus', ret.status, args.locale),
};

export const ReturnItemResolvers = {
  lineItem: (item: ReturnItem, _: unknown, ctx: OrdersContext) => ctx.loaders.lineItem.load(item.lineItemId),
};

const reasonText = (parent: { reason: EligibilityReason }, args: { locale?: string | null }) =>
  text('returnEligibility', parent.reason, args.locale);

export const ReturnEligibility = {
  reasonText,
  returnableUntilText: (e: Eligibility, args: { locale?: string | null }) => (e.returnableUntil ? formatDate(e.returnableUntil, args.locale) : null),
  appliedRules: (e: Eligibility) => e.policy.appliedRules,
};

export const ReturnRefusal = { reasonText };
