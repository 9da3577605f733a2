import type { CustomersContext } from '../context';
import { matchesCandidate, normalizeEmail, phoneCandidates } from '../identify';
import { customerOfSession } from '../verification';
import { toCaller } from './Caller';
import { contactReport } from './ContactRateReport';

export const Query = {
  customer: (_: unknown, args: { id: string }, ctx: CustomersContext) => ctx.loaders.customer.load(args.id),
  interaction: (_: unknown, args: { id: string }, ctx: CustomersContext) => ctx.loaders.interaction.load(args.id),
  handoff: (_: unknown, args: { id: string }, ctx: CustomersContext) => ctx.loaders.handoff.load(args.id),

  identifyByPhone: async (_: unknown, args: { phone: string; country?: string | null }, ctx: CustomersContext) => {
    const regions = args.country ? [args.country.trim().toUpperCase()] : ctx.config.phoneRegions;
    const candidates = phoneCandidates(args.phone, regions);
    const found = (await ctx.source.findCustomersByPhone([...new Set(candidates.map((c) => c.e164))])).flat();
    const matches = found.filter((customer) => candidates.some((c) => matchesCandidate(customer, c)));
    return [...new Map(matches.map((c) => [c.id, c])).values()].map((c) => ({ caller: toCaller(c), matchedBy: 'PHONE' }));
  },
  identifyByEmail: async (_: unknown, args: { email: string }, ctx: CustomersContext) => {
    const [found] = await ctx.source.findCustomersByEmail([normalizeEmail(args.email)]);
    return found.map((c) => ({ caller: toCaller(c), matchedBy: 'EMAIL' }));
  },
  verifiedCustomer: (_: unknown, args: { sessionToken: string }, ctx: CustomersContext) => customerOfSession(ctx, args.sessionToken),
  contactRate: (_: unknown, args: { from: Date; to: Date }, ctx: CustomersContext) => contactReport(ctx, args.from, args.to),
};
