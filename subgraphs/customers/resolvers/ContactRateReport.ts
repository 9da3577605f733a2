import { requireRole } from '../../shared/auth';
import { badInput } from '../../shared/errors';
import type { CustomersContext } from '../context';
import type { Channel, ContactCount, Intent, Percentiles } from '../port';

/** Channels where the customer is served without a person: the portal, the chat bot, the voice agent. */
export const SELF_SERVICE_CHANNELS: readonly Channel[] = ['PORTAL', 'CHAT', 'VOICE'];
const MAX_PERIOD_DAYS = 366;

interface Report {
  from: Date;
  to: Date;
  counts: ContactCount[];
  orderCount?: number;
}

export async function contactReport(ctx: CustomersContext, from: Date, to: Date): Promise<Report> {
  requireRole(ctx.viewer, ['operations', 'service'], 'read contact rates');
  if (!(from < to)) throw badInput('from must be before to', { argument: 'from' });
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
    throw badInput(`A period spans at most ${MAX_PERIOD_DAYS} days`, { argument: 'to' });
  }
  return { from, to, counts: await ctx.source.countContacts(from, to) };
}

const sum = (counts: ContactCount[]) => counts.reduce((total, c) => total + c.contacts, 0);
const selfServed = (c: ContactCount) => c.outcome === 'RESOLVED' && SELF_SERVICE_CHANNELS.includes(c.channel);

export const ContactRateReport = {
  // Representations carry scalars as sent: the period arrives as ISO strings.
  __resolveReference: async (ref: { from: string; to: string; orderCount?: number }, ctx: CustomersContext) => ({
    ...(await contactReport(ctx, new Date(ref.from), new Date(ref.to))),
    orderCount: ref.orderCount,
  }),
  contacts: (r: Report) => sum(r.counts),
  resolvedInSelfService: (r: Report) => sum(r.counts.filter(selfServed)),
  selfServiceRate: (r: Report) => {
    const total = sum(r.counts);
    return total ? sum(r.counts.filter(selfServed)) / total : null;
  },
  byChannel: (r: Report) =>
    [...new Set(r.counts.map((c) => c.channel))].map((channel: Channel) => {
      const mine = r.counts.filter((c) => c.channel === channel);
      const outcome = (o: ContactCount['outcome']) => sum(mine.filter((c) => c.outcome === o));
      return { channel, contacts: sum(mine), resolved: outcome('RESOLVED'), escalated: outcome('ESCALATED'), abandoned: outcome('ABANDONED') };
    }),
  byIntent: (r: Report) =>
    [...new Set(r.counts.map((c) => c.intent))].map((intent: Intent) => {
      const mine = r.counts.filter((c) => c.intent === intent);
      return { intent, contacts: sum(mine), resolvedInSelfService: sum(mine.filter(selfServed)) };
    }),
  contactsPerOrder: (r: Report) => (r.orderCount ? sum(r.counts) / r.orderCount : null),
  handoffs: async (r: Report, _: unknown, ctx: CustomersContext) =>
    (await ctx.source.handoffTimes(r.from, r.to)).map((h) => ({ ...h, timeToAcceptance: seconds(h.toAcceptance), timeToResolution: seconds(h.toResolution) })),
};

const seconds = (p: Percentiles | null) => p && { p50Seconds: p.p50, p90Seconds: p.p90 };
