import { invalidatedTier, type Cache, type CacheEntry } from '../subgraphs/shared/cache';
import { minFreshOf } from '../subgraphs/shared/cached';
import { callerKeyOfHeader, VIEWER_HEADER } from '../subgraphs/shared/auth';
import type { Logger } from '../subgraphs/shared/logger';
import { cacheResult, fetchOutcome } from '../subgraphs/shared/metrics';
import { bufferedResponse, type SubgraphFetcher } from './fetcher';

/**
 * The gateway's subgraph fetcher with a cache of whole subgraph responses. A subgraph says in
 * `extensions.cache` how long its answer may be reused and which tags it depends on; the entry is
 * keyed by the exact request (URL, the caller's identity, query, variables and representations) and
 * dropped on the same tag invalidations as the entity cache, here and in every replica.
 * Mutations, errors, uncacheable answers and "Cache-Control: no-cache" go straight through;
 * "min-fresh=N" (a refresh ahead of expiry) takes only answers fresh N s more. A reused answer
 * says in its `Age` header how old it is (its `extensions.cache.maxAge` counts from when it was
 * read). An answer in the last quarter of its life is still served, and refreshed in the background
 * once, so a hot request never waits for its expiry. An expired answer is kept `staleSeconds`
 * longer: when the subgraph then fails (down, timed out, circuit open), it stands in, marked in
 * `extensions.stale` with its age.
 */
export function createCachingFetcher(options: {
  fetch: SubgraphFetcher;
  invalidations: Pick<Cache, 'onInvalidate'>;
  maxEntries?: number;
  staleSeconds?: number;
  /** The subgraph a URL belongs to, as stale answers name it. */
  serviceOf?: (url: string) => string;
  logger: Logger;
}): SubgraphFetcher {
  const staleMs = (options.staleSeconds ?? 0) * 1000;
  const tier = invalidatedTier(options.maxEntries ?? 20_000, options.invalidations);
  const refreshing = new Set<string>();
  return async (url, init) => {
    const body = init.body ?? null;
    const header = (wanted: string) => Object.entries(init.headers ?? {}).find(([name]) => name.toLowerCase() === wanted)?.[1];
    if (!body || body.startsWith('{"query":"mutation') || /no-cache/.test(header('cache-control') ?? '')) return options.fetch(url, init);
    // The caller is part of the key: what a subgraph answers depends on who asks (scope, masking).
    // Its stable identity, not the header's bytes, which change with every request (expiry, request id).
    const key = `${url}\n${callerKeyOfHeader(header(VIEWER_HEADER) ?? '')}\n${body}`;
    const hit = tier.get(key);
    const service = options.serviceOf?.(url) ?? 'subgraph';
    const minFresh = minFreshOf(header('cache-control'));
    if (minFresh && hit && hit.expiresAt > Date.now() + minFresh) return reused(url, hit, service);
    if (minFresh) return missed(url, init, key, service);
    if (hit && hit.expiresAt <= Date.now()) {
      try {
        const response = await missed(url, init, key, service);
        if (response.status < 500) return response;
      } catch (err) {
        options.logger.warn({ url, err: (err as Error).message }, 'subgraph failed: a stale answer stands in');
      }
      cacheResult('fetch', service, 'stale').inc();
      fetchOutcome(service, 'stale').inc();
      return bufferedResponse(url, 200, markedStale(hit.value as string, hit.storedAt, options.serviceOf?.(url) ?? url));
    }
    if (hit) {
      const now = Date.now();
      if (hit.expiresAt - now < (hit.expiresAt - hit.storedAt) / 4 && !refreshing.has(key)) {
        refreshing.add(key);
        fetchAndStore(url, init, key)
          .catch((err) => options.logger.warn({ err: (err as Error).message }, 'background refresh failed'))
          .finally(() => refreshing.delete(key));
      }
      return reused(url, hit, service);
    }
    return missed(url, init, key, service);
  };

  function missed(url: string, init: Parameters<SubgraphFetcher>[1], key: string, service: string) {
    cacheResult('fetch', service, 'miss').inc();
    return fetchAndStore(url, init, key);
  }

  function reused(url: string, hit: CacheEntry, service: string) {
    cacheResult('fetch', service, 'hit').inc();
    fetchOutcome(service, 'cached').inc();
    return bufferedResponse(url, 200, hit.value as string, undefined, { age: String(Math.ceil((Date.now() - hit.storedAt) / 1000)) });
  }

  async function fetchAndStore(url: string, init: Parameters<SubgraphFetcher>[1], key: string) {
    const readSince = Date.now();
    const response = await options.fetch(url, init);
    if (response.status !== 200) return response;
    const text = await response.text();
    // Only answers that declare themselves cacheable are parsed here, and handed on parsed.
    let parsed: { extensions?: { cache?: { maxAge: number; tags: string[] } } } | undefined;
    if (text.includes('"cache":{"maxAge":') && !text.includes('"cache":{"maxAge":0}')) {
      try {
        parsed = JSON.parse(text) as typeof parsed;
        const policy = parsed!.extensions?.cache;
        if (policy && policy.maxAge > 0) {
          tier.set({ key, value: text, storedAt: readSince, ttlSeconds: policy.maxAge, tags: policy.tags }, policy.maxAge * 1000 + staleMs, readSince + policy.maxAge * 1000);
        }
      } catch (err) {
        options.logger.warn({ err: (err as Error).message }, 'unreadable subgraph response not cached');
      }
    }
    return bufferedResponse(url, 200, text, undefined, undefined, parsed);
  }
}

/** A cached answer standing in for its subgraph: its extensions say so, and how old it is. */
function markedStale(text: string, storedAt: number, service: string): string {
  const body = JSON.parse(text) as { extensions?: Record<string, unknown> };
  const stale = [{ service, type: 'response', ageSeconds: Math.round((Date.now() - storedAt) / 1000) }];
  return JSON.stringify({ ...body, extensions: { ...body.extensions, stale } });
}
