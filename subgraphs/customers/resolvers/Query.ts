import type { GraphQLResolveInfo } from 'graphql';
import type { CustomersContext } from '../context';
import { matchesCandidate, normalizeEmail, phoneCandidates } from '../identify';
import { mayRead, requireRole, requireService, signIdentification, visible, type IdentifiedBy } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import type { Customer } from '../port';
import { verifiedCustomerOf } from '../verification';
import { auditLog, exportCustomerData } from '../privacy';
import { toCaller } from './Caller';
import { readAheadOfCustomer } from './Customer';
import { contactReport } from './ContactRateReport';

/** An identify answer's match, with the handle VerifyCaller needs (who, found by what, on which channel). */
const matchOf = (ctx: CustomersContext, customer: Customer, by: IdentifiedBy & ('PHONE' | 'EMAIL')) => ({
  caller: toCaller(customer),
  matchedBy: by,
  identification: signIdentification({ customerId: customer.id, by, channel: ctx.viewer.kind === 'agent' ? ctx.viewer.channel : null }, ctx.config.gatewaySecret),
});

export const Query = {
  // Someone else's record answers as if it did not exist.
  customer: (_: unknown, args: { id: string }, ctx: CustomersContext, info: GraphQLResolveInfo) => {
    if (!mayRead(ctx.viewer, args.id)) return null;
    readAheadOfCustomer(info, ctx, args.id);
    return ctx.loaders.customer.load(args.id);
  },
  customerEmails: async (_: unknown, args: { customerIds: string[] }, ctx: CustomersContext) => {
    requireService(ctx.viewer, 'customerEmails');
    if (args.customerIds.length > 100) throw badInput('customerIds takes at most 100 ids', { argument: 'customerIds' });
    const customers = await ctx.loaders.customer.loadMany(args.customerIds);
    return customers.map((c) => (c && !(c instanceof Error) ? c.email.toLowerCase() : null));
  },
  interaction: async (_: unknown, args: { id: string }, ctx: CustomersContext) => visible(ctx.viewer, await ctx.loaders.interaction.load(args.id)),
  handoff: async (_: unknown, args: { id: string }, ctx: CustomersContext) => visible(ctx.viewer, await ctx.loaders.handoff.load(args.id)),

  identifyByPhone: async (_: unknown, args: { phone: string; country?: string | null }, ctx: CustomersContext) => {
    requireRole(ctx.viewer, ['agent', 'service'], 'identify callers');
    const regions = args.country ? [args.country.trim().toUpperCase()] : ctx.config.phoneRegions;
    const candidates = phoneCandidates(args.phone, regions);
    const found = (await ctx.source.findCustomersByPhone([...new Set(candidates.map((c) => c.e164))])).flat();
    const matches = found.filter((customer) => candidates.some((c) => matchesCandidate(customer, c)));
    return [...new Map(matches.map((c) => [c.id, c])).values()].map((c) => matchOf(ctx, c, 'PHONE'));
  },
  identifyByEmail: async (_: unknown, args: { email: string }, ctx: CustomersContext) => {
    requireRole(ctx.viewer, ['agent', 'service'], 'identify callers');
    const [found] = await ctx.source.findCustomersByEmail([normalizeEmail(args.email)]);
    return found.map((c) => matchOf(ctx, c, 'EMAIL'));
  },
  verifiedCustomer: (_: unknown, __: unknown, ctx: CustomersContext, info: GraphQLResolveInfo) => {
    // The session names its customer; nothing read ahead is answered unless the session holds.
    if ('customerId' in ctx.viewer && ctx.viewer.customerId) readAheadOfCustomer(info, ctx, ctx.viewer.customerId);
    return verifiedCustomerOf(ctx);
  },
  contactRate: (_: unknown, args: { from: Date; to: Date }, ctx: CustomersContext) => contactReport(ctx, args.from, args.to),
  auditLog: (_: unknown, args: Parameters<typeof auditLog>[1], ctx: CustomersContext) => auditLog(ctx, args),
  customerDataExport: (_: unknown, args: { customerId: string }, ctx: CustomersContext) => exportCustomerData(ctx, args.customerId),
};

