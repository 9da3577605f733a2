import type { GraphQLResolveInfo } from 'graphql';
import { mayRead } from '../../shared/auth';
import { asOf } from '../../shared/cached';
import { pageSize, readAhead } from '../../shared/loaders';
import { renderBrief, type BriefBalance, type BriefOrder } from '../brief';
import type { CustomersContext } from '../context';
import type { Customer as CustomerModel } from '../port';

/** Every unresolved handoff of the customer, newest first: none may wait where no channel sees it. */
const openHandoffsOf = (ctx: CustomersContext, customerId: string) => ctx.loaders.openHandoffsByCustomer.load(customerId);

/**
 * The brief's recent contacts come from the page of interactions the per-turn context
 * (CustomerContext) shows beside it: one cached copy serves both, where a page of its own was one
 * more backend read on every cold turn and every refresh.
 */
const BRIEF_INTERACTIONS_PAGE = 5;

/** What the brief reads from the CRM itself, at once (the loaders make a second call free). */
const briefReads = (ctx: CustomersContext, customerId: string) =>
  Promise.all([ctx.loaders.interactionsByCustomer(BRIEF_INTERACTIONS_PAGE).load(customerId), openHandoffsOf(ctx, customerId)]);

type WithRequired = CustomerModel & { activeOrders?: BriefOrder[] | null; openBalances?: BriefBalance[] | null };

export const Customer = {
  asOf,
  // The representation may carry what Customer.brief @requires; keep it beside the CRM's record.
  __resolveReference: async (ref: { id: string; activeOrders?: BriefOrder[]; openBalances?: BriefBalance[] }, ctx: CustomersContext) => {
    if (!mayRead(ctx.viewer, ref.id)) return null;
    // Brief's requires arrive only when brief is asked for: its own reads go out beside the customer's.
    if ('activeOrders' in ref) void briefReads(ctx, ref.id).catch(() => undefined);
    const customer = await ctx.loaders.customer.load(ref.id);
    return customer && { ...customer, ...ref };
  },
  defaultShippingAddress: (customer: CustomerModel) => {
    const shipping = customer.addresses.filter((a) => a.kind === 'SHIPPING');
    return shipping.find((a) => a.isDefault) ?? shipping[0] ?? null;
  },
  interactions: (customer: CustomerModel, args: { first: number }, ctx: CustomersContext) =>
    ctx.loaders.interactionsByCustomer(pageSize(args.first)).load(customer.id),
  openHandoffs: (customer: CustomerModel, _: unknown, ctx: CustomersContext) => openHandoffsOf(ctx, customer.id),
  openHandoff: async (customer: CustomerModel, _: unknown, ctx: CustomersContext) => (await openHandoffsOf(ctx, customer.id))[0] ?? null,
  handoffs: (customer: CustomerModel, args: { first: number }, ctx: CustomersContext) =>
    ctx.loaders.handoffsByCustomer(pageSize(args.first)).load(customer.id),
  brief: async (customer: WithRequired, _: unknown, ctx: CustomersContext) => {
    const [interactions, openHandoffs] = await briefReads(ctx, customer.id);
    // Null: the orders subgraph failed for the gateway (not "no orders").
    return renderBrief({ customer, activeOrders: customer.activeOrders === null ? null : (customer.activeOrders ?? []), openBalances: customer.openBalances ?? [], interactions, openHandoffs });
  },
};

/** Starts the reads of the selected Customer fields that need only its id beside the customer's own. */
export const readAheadOfCustomer = (info: GraphQLResolveInfo, ctx: CustomersContext, id: string) =>
  readAhead(info, { id } as CustomerModel, ctx, { interactions: Customer.interactions, openHandoffs: Customer.openHandoffs, openHandoff: Customer.openHandoff, handoffs: Customer.handoffs });
