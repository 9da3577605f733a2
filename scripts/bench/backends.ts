/**
 * Backend calls against vendors' rate limits: each subgraph, run with BACKEND_LATENCY_MS, counts
 * the calls that reach its system of record (GET /backend-calls, see withCallCount in
 * subgraphs/shared/adapter.ts); the graph's own records (sessions, interactions, audit) are not a
 * vendor's and are not counted.
 */

/** The vendor each subgraph stands for, and the limit assumed for it (the adapter's default requestsPerSecond). */
export const VENDORS = [
  { subgraph: 'orders', vendor: 'commercetools (OMS)', perSecond: 50, basis: 'publishes no general request-rate limit for its HTTP API (only object limits; it asks clients to ramp up and retry 502/503); 50/s is the adapter\'s default' },
  { subgraph: 'customers', vendor: 'HubSpot (CRM)', perSecond: 10, basis: 'private apps: 100 requests / 10 s (Free, Starter), 190 / 10 s (Professional, Enterprise); 10/s assumed, the adapter\'s default' },
  { subgraph: 'payments', vendor: 'Stripe', perSecond: 100, basis: '100 read requests/s in live mode (25 in test mode)' },
  { subgraph: 'logistics', vendor: 'EasyPost', perSecond: 20, basis: 'load-based and dynamic, 5 requests/s fixed on list endpoints; 20/s assumed, the adapter\'s default' },
] as const;

export type Calls = Record<string, number>;

/** Calls each subgraph's system of record has had so far, by subgraph. */
export async function backendCalls(subgraphUrls: Record<string, string>): Promise<Calls> {
  const entries = await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      const response = await fetch(new URL('/backend-calls', url));
      const byMethod = (await response.json()) as Record<string, number>;
      return [name, Object.values(byMethod).reduce((sum, n) => sum + n, 0)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export const callsBetween = (before: Calls, after: Calls): Calls => Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - (before[name] ?? 0)]));
export const scaled = (calls: Calls, by: number): Calls => Object.fromEntries(Object.entries(calls).map(([name, n]) => [name, n / by]));

export interface VendorUse {
  /** Calls per cold turn (a new call's first) with caches, and per turn without any. */
  coldCached: Calls;
  uncached: Calls;
  /** Calls per minute of a call in progress (its warm turns: refreshes included), with caches. */
  warmMinute: Calls;
  /** How long a call lasts (s) and how often it takes a turn (s). */
  callSeconds: number;
  turnSeconds: number;
}

/**
 * Simultaneous calls each vendor's limit allows: with caches a call costs its cold first turn over
 * its length plus its warm minutes; without, every turn costs what a cold one does.
 */
export function vendorRows(use: VendorUse): string {
  const n = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
  const calls = (x: number) => (Number.isFinite(x) ? Math.floor(x).toLocaleString('en') : 'no limit reached');
  return VENDORS.map(({ subgraph, vendor, perSecond, basis }) => {
    const cold = use.coldCached[subgraph] ?? 0;
    const warm = use.warmMinute[subgraph] ?? 0;
    const bare = use.uncached[subgraph] ?? 0;
    const cachedPerCallSecond = cold / use.callSeconds + warm / 60;
    const uncachedPerCallSecond = bare / use.turnSeconds;
    return `| ${vendor} | ${n(cold)} | ${n(warm)} | ${n(bare)} | ${perSecond}/s (${basis}) | ${calls(perSecond / cachedPerCallSecond)} | ${calls(perSecond / uncachedPerCallSecond)} |`;
  }).join('\n');
}
