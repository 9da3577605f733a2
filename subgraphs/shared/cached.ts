import { AsyncLocalStorage } from 'node:async_hooks';
import type { Cache, CacheEntry } from './cache';
import { cacheResult } from './metrics';
import { isBackendFailure } from './resilience';

/**
 * How long (ms) a cached copy must still be fresh to be used in this request: Cache-Control
 * `min-fresh=N` (the gateway refreshing an answer ahead of its expiry) asks N s, `no-cache` (a
 * client asking for fresh data) Infinity; reads that fall short load from the backend and refill
 * the cache. Only a no-cache response is itself uncacheable.
 */
export const freshReads = new AsyncLocalStorage<number>();

/** The min-fresh a request's Cache-Control header asks for, in ms (see freshReads). */
export function minFreshOf(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  if (/no-cache/i.test(cacheControl)) return Infinity;
  const seconds = /min-fresh=(\d+)/i.exec(cacheControl)?.[1];
  return seconds ? Number(seconds) * 1000 : 0;
}

/**
 * What a subgraph response depends on, gathered while it is computed: the tags of every cached
 * read and how long the shortest-lived of them still lives. Any read that is not cached (a
 * session, a lookup, a write) makes the response uncacheable. The gateway caches whole subgraph
 * fetches by this, and drops them on the same invalidations as the entity cache.
 */
export interface ResponseCachePolicy {
  tags: Set<string>;
  /** Seconds; 0 means "do not cache". */
  maxAge: number;
  /** Types served from a stale copy because their backend failed, with the oldest copy's age in seconds. */
  stale?: Map<string, number>;
}
export const responsePolicy = new AsyncLocalStorage<ResponseCachePolicy>();

function recordRead(tags: readonly string[], expiresAt: number) {
  const policy = responsePolicy.getStore();
  if (!policy) return;
  for (const tag of tags) policy.tags.add(tag);
  policy.maxAge = Math.min(policy.maxAge, Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)));
}

/** Notes that a stale copy of `type`, `ageSeconds` old, stood in for a failing backend (never cached further). */
function recordStale(type: string, ageSeconds: number) {
  const policy = responsePolicy.getStore();
  if (!policy) return;
  policy.maxAge = 0;
  policy.stale ??= new Map();
  policy.stale.set(type, Math.max(policy.stale.get(type) ?? 0, ageSeconds));
}

/** Marks the current response as not cacheable (it read something that is not cached). */
export function uncacheable(): void {
  const policy = responsePolicy.getStore();
  if (policy) policy.maxAge = 0;
}

/** The adapter's methods as they are, each marking the response uncacheable: the base every cached source overrides. */
export function passThrough<Source extends object>(source: Source): Source {
  return Object.fromEntries(
    Object.entries(source).map(([name, fn]) => [name, typeof fn === 'function' ? (...args: unknown[]) => (uncacheable(), fn(...args)) : fn]),
  ) as Source;
}

/** TTL in seconds for each cached type, from CACHE_TTL_SECONDS. */
export type TtlPolicy = (type: string) => number;

export interface CachedBatchSpec<K, V> {
  /** The cached type, e.g. "Order" or "CustomerOrders"; also what the TTL is looked up by. */
  type: string;
  key: (key: K) => string;
  /** What the value depends on: invalidating any of these drops it. */
  tags: (value: V, key: K) => readonly string[];
  load: (keys: readonly K[]) => Promise<V[]>;
  /** A shorter life for some values (a session that expires sooner than the type's TTL), in seconds. */
  ttlOf?: (value: V) => number;
}

/** Marks a value (or each value of a list) with when it was read from the system of record. */
function stampAsOf(value: unknown, asOf: Date): void {
  if (Array.isArray(value)) value.forEach((v) => stampAsOf(v, asOf));
  else if (value && typeof value === 'object' && !(value instanceof Date)) (value as { asOf?: Date }).asOf = asOf;
}

/**
 * Batch reads through the cache, for one subgraph: hits come from the cache, misses from the
 * adapter in one batch, and a key already being loaded by another request in this process is
 * awaited rather than loaded again (single-flight), so an expiring hot key costs one backend read.
 */
export function createBatchCache(cache: Cache, subgraph: string, ttl: TtlPolicy) {
  const inFlight = new Map<string, Promise<unknown>>();

  return function cachedBatch<K, V>(spec: CachedBatchSpec<K, V>): (keys: readonly K[]) => Promise<V[]> {
    const ttlSeconds = ttl(spec.type);
    const hitCount = cacheResult('entity', spec.type, 'hit');
    const missCount = cacheResult('entity', spec.type, 'miss');
    const staleCount = cacheResult('entity', spec.type, 'stale');
    return async (keys) => {
      const cacheKeys = keys.map((k) => `${subgraph}:${spec.type}:${spec.key(k)}`);
      const minFresh = freshReads.getStore() ?? 0;
      const hits = minFresh === Infinity ? cacheKeys.map(() => undefined) : await cache.getMany(cacheKeys);
      const result = new Array<V>(keys.length);
      const waits: Promise<unknown>[] = [];
      const toLoad: number[] = [];
      const now = Date.now();
      // A copy not used (expired and kept for stale-if-error, or too close to expiry for this
      // request's min-fresh): it stands in only if the backend fails to give a fresh one.
      const stale = new Map<number, CacheEntry>();
      const standIn = (i: number, err: unknown) => {
        const copy = stale.get(i);
        if (!copy || !isBackendFailure(err)) throw err;
        result[i] = copy.value as V;
        // A copy a refresh found too close to expiry is still fresh: it stands in unmarked.
        if (copy.expiresAt > Date.now()) recordRead(copy.tags, copy.expiresAt);
        else {
          staleCount.inc();
          recordStale(spec.type, Math.round((Date.now() - copy.storedAt) / 1000));
        }
      };
      if (minFresh === Infinity) uncacheable();
      hits.forEach((hit, i) => {
        if (hit && hit.expiresAt > now + minFresh) {
          result[i] = hit.value as V;
          recordRead(hit.tags, hit.expiresAt);
          return;
        }
        if (hit) stale.set(i, hit);
        // A load already under way is fresh enough for anyone but a client that asked for no-cache.
        const pending = minFresh === Infinity ? undefined : inFlight.get(cacheKeys[i]);
        if (pending) {
          waits.push(
            pending.then(
              (value) => {
                result[i] = value as V;
                recordRead(spec.tags(value as V, keys[i]), Date.now() + ttlSeconds * 1000);
              },
              (err) => standIn(i, err),
            ),
          );
        }
        else toLoad.push(i);
      });
      // Misses are what the cache could not answer: loaded here or joined to a load under way.
      if (keys.length > toLoad.length + waits.length) hitCount.inc(keys.length - toLoad.length - waits.length);
      if (toLoad.length + waits.length) missCount.inc(toLoad.length + waits.length);
      if (toLoad.length) {
        const readSince = Date.now();
        const loading = spec.load(toLoad.map((i) => keys[i]));
        toLoad.forEach((i, n) => {
          const one = loading.then((values) => values[n]);
          one.catch(() => undefined); // awaited below or by the requests that joined it
          inFlight.set(cacheKeys[i], one);
        });
        try {
          // A failed load leaves the copies to stand in (or rethrows when there are none).
          const values = await loading.catch((err) => void toLoad.forEach((i) => standIn(i, err)));
          if (values) {
            stampAsOf(values, new Date(readSince));
            // Up to a quarter shorter at random: entries read together must not all expire together.
            // Not so for a refresh ahead of expiry (min-fresh): refreshes are spread already (each
            // answer's own lead), and a shorter life would make the refreshed answer's life shorter
            // than the last (25, 22, 20 s), each refresh earlier, reloading every part each time.
            // One draw per value: the life reported to the gateway (maxAge) is the life stored.
            const jitter = () => (minFresh > 0 ? 1 : 0.75 + Math.random() * 0.25);
            const lives = values.map((value) => Math.min(ttlSeconds, spec.ttlOf?.(value) ?? ttlSeconds) * jitter());
            values.forEach((value, n) => {
              result[toLoad[n]] = value;
              recordRead(spec.tags(value, keys[toLoad[n]]), readSince + lives[n] * 1000);
            });
            // Not awaited: the answer does not wait for the cache write (which fails open anyway).
            void cache.setMany(
              toLoad
                .map((i, n) => ({ key: cacheKeys[i], value: values[n], storedAt: readSince, ttlSeconds: lives[n], tags: spec.tags(values[n], keys[i]) }))
                .filter((write) => write.ttlSeconds > 0),
              readSince,
            );
          }
        } finally {
          toLoad.forEach((i) => inFlight.delete(cacheKeys[i]));
        }
      }
      await Promise.all(waits);
      return result;
    };
  };
}

/** One cached batch function per value of a list argument (`first`), created on first use. */
export function perArgument<A, F>(create: (arg: A) => F): (arg: A) => F {
  const made = new Map<A, F>();
  return (arg) => {
    let fn = made.get(arg);
    if (!fn) made.set(arg, (fn = create(arg)));
    return fn;
  };
}

/** TTLs by cached type (CACHE_TTL_SECONDS), `default` for the rest. */
export function ttlPolicy(spec: Readonly<Record<string, number>>): TtlPolicy {
  return (type) => spec[type] ?? spec.default ?? 10;
}

/** The asOf field of every cached entity: when it was read from its system of record (now, when not cached). */
export const asOf = (entity: { asOf?: Date }) => entity.asOf ?? new Date();
