import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import type { Config } from './config';
import type { Logger } from './logger';
import { createRedis, isCluster, type RedisClient } from './redis';

/**
 * A cached value, when it was read from its system of record and when it expires (ms since epoch),
 * and its tags. An entry past `expiresAt` may still be returned for a while (the cache's
 * `staleSeconds`): only to stand in, marked stale, when its system of record fails.
 */
export interface CacheEntry {
  value: unknown;
  storedAt: number;
  expiresAt: number;
  tags: readonly string[];
}

export interface CacheWrite {
  key: string;
  value: unknown;
  storedAt: number;
  ttlSeconds: number;
  /** What the value depends on ("order:ord_1", "customer:cus_1"): invalidating a tag drops it. */
  tags: readonly string[];
}

/**
 * Entity cache with a TTL per entry and tags for invalidation. Two back-ends behind this one
 * interface: an in-process LRU, or Redis shared by every replica with a small in-process tier in
 * front of it, kept exact by invalidations broadcast over Redis pub/sub. It fails open: a Redis
 * error reads as a miss and is logged, never thrown to a caller.
 *
 *   const [hit] = await cache.getMany(['orders:Order:ord_1']);
 *   await cache.setMany([{ key: 'orders:Order:ord_1', value, storedAt: Date.now(), ttlSeconds: 5, tags: ['order:ord_1'] }]);
 *   await cache.invalidateTags(['order:ord_1']); // here and in every replica
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The Redis connection behind a `redis` cache, for what else a process shares there (the gateway's rate limits). */
  readonly client?: RedisClient;
  /** Entries in key order; `undefined` for a miss. */
  getMany(keys: readonly string[]): Promise<(CacheEntry | undefined)[]>;
  /**
   * Stores entries, except those with a tag invalidated after `readSince` (ms): a value read
   * before a concurrent write must not be cached after that write's invalidation.
   */
  setMany(entries: readonly CacheWrite[], readSince?: number): Promise<void>;
  /**
   * Drops every entry with one of the tags, in this process and every other replica. Answers false
   * when the other replicas could not be told (Redis unreachable); it never throws.
   */
  invalidateTags(tags: readonly string[]): Promise<boolean>;
  /** Called with the tags of every invalidation this process learns of (its own and broadcast ones). */
  onInvalidate(listener: (tags: readonly string[]) => void): void;
  /** Throws when the back-end does not answer; for readiness checks only. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CacheOptions {
  redisUrl?: string;
  /** Entries in the in-process tier (the whole cache without Redis). */
  maxEntries?: number;
  /** Prefix of every Redis key and the pub/sub channel, so deployments can share a server. */
  namespace?: string;
  /** How long an entry is kept past its TTL, to stand in when its backend fails (STALE_IF_ERROR_SECONDS). */
  staleSeconds?: number;
  logger: Logger;
}

/** The cache the configuration names: Redis with REDIS_URL, else the in-process LRU. */
export const openCache = (config: Readonly<Config>, logger: Logger): Promise<Cache> =>
  createCache({ redisUrl: config.redisUrl, maxEntries: config.cacheMaxEntries, namespace: config.cacheNamespace, staleSeconds: config.resilience.staleIfErrorSeconds, logger });

export async function createCache(options: CacheOptions): Promise<Cache> {
  return options.redisUrl
    ? createRedisCache(options.redisUrl, options.logger, { namespace: options.namespace, localEntries: Math.min(options.maxEntries ?? 10_000, 10_000), staleSeconds: options.staleSeconds })
    : createMemoryCache(options.maxEntries ?? 50_000, options.staleSeconds);
}

/** Remembers when each tag was last invalidated, to refuse writes of values read before that. */
export function invalidationClock(horizonMs = 60_000) {
  const lastInvalidated = new LRUCache<string, number>({ max: 100_000, ttl: horizonMs });
  return {
    mark: (tags: readonly string[], at = Date.now()) => tags.forEach((tag) => lastInvalidated.set(tag, at)),
    staleSince: (tags: readonly string[], since: number) => tags.some((tag) => (lastInvalidated.get(tag) ?? 0) >= since),
  };
}

export interface LocalTier {
  get(key: string): CacheEntry | undefined;
  /** Keeps the entry for `ttlMs` here; `expiresAt` is when the entry itself expires (in Redis, say). */
  set(write: CacheWrite, ttlMs: number, expiresAt?: number): void;
  dropTags(tags: readonly string[]): void;
  clear(): void;
}

/** An LRU with a tag index: dropping a tag drops its keys in O(keys). */
export function localTier(maxEntries: number): LocalTier {
  const tagIndex = new Map<string, Set<string>>();
  const lru = new LRUCache<string, { entry: CacheEntry; tags: readonly string[] }>({
    max: maxEntries,
    dispose: (item, key) => {
      for (const tag of item.tags) {
        const keys = tagIndex.get(tag);
        keys?.delete(key);
        if (keys?.size === 0) tagIndex.delete(tag);
      }
    },
  });
  return {
    get: (key) => lru.get(key)?.entry,
    set: (write, ttlMs, expiresAt = Date.now() + ttlMs) => {
      const entry: CacheEntry = { value: write.value, storedAt: write.storedAt, expiresAt, tags: write.tags };
      lru.set(write.key, { entry, tags: write.tags }, { ttl: Math.max(1, ttlMs) });
      for (const tag of write.tags) {
        let keys = tagIndex.get(tag);
        if (!keys) tagIndex.set(tag, (keys = new Set()));
        keys.add(write.key);
      }
    },
    dropTags: (tags) => {
      for (const tag of tags) for (const key of [...(tagIndex.get(tag) ?? [])]) lru.delete(key);
    },
    clear: () => lru.clear(),
  };
}

/**
 * A local tier kept exact by the invalidations a cache reports (this process's and, over Redis,
 * every replica's): they drop its entries, and a write whose value was read (`storedAt`) before
 * an invalidation of one of its tags is not kept. The gateway's caches of subgraph answers and
 * whole answers are this.
 */
export function invalidatedTier(maxEntries: number, invalidations: Pick<Cache, 'onInvalidate'>): Pick<LocalTier, 'get' | 'set'> {
  const tier = localTier(maxEntries);
  const clock = invalidationClock();
  invalidations.onInvalidate((tags) => {
    clock.mark(tags);
    tier.dropTags(tags);
  });
  return {
    get: tier.get,
    set: (write, ttlMs, expiresAt) => {
      if (!clock.staleSince(write.tags, write.storedAt)) tier.set(write, ttlMs, expiresAt);
    },
  };
}

export function createMemoryCache(maxEntries: number, staleSeconds = 0): Cache {
  const local = localTier(maxEntries);
  const clock = invalidationClock();
  const listeners: ((tags: readonly string[]) => void)[] = [];
  return {
    kind: 'memory',
    getMany: async (keys) => keys.map((key) => local.get(key)),
    setMany: async (entries, readSince) => {
      for (const write of entries) {
        if (readSince !== undefined && clock.staleSince(write.tags, readSince)) continue;
        local.set(write, (write.ttlSeconds + staleSeconds) * 1000, Date.now() + write.ttlSeconds * 1000);
      }
    },
    invalidateTags: async (tags) => {
      clock.mark(tags);
      local.dropTags(tags);
      listeners.forEach((l) => l(tags));
      return true;
    },
    onInvalidate: (listener) => void listeners.push(listener),
    ping: async () => undefined,
    close: async () => local.clear(),
  };
}

export interface RedisCacheOptions {
  namespace?: string;
  /** Entries kept in process in front of Redis. */
  localEntries?: number;
  /** How long Redis keeps an entry past its TTL, to stand in when its backend fails. */
  staleSeconds?: number;
  /**
   * The longest an entry lives in the in-process tier (at most its own TTL). Pub/sub keeps it
   * exact meanwhile, and the tier is cleared and bypassed whenever the subscription is down.
   */
  localTtlMs?: number;
}

export async function createRedisCache(url: string, logger: Logger, options: RedisCacheOptions = {}): Promise<Cache> {
  const ns = options.namespace ?? 'ccg';
  const channel = `${ns}:invalidate`;
  const localTtlMs = options.localTtlMs ?? 60_000;
  const staleMs = (options.staleSeconds ?? 0) * 1000;
  const connection = {
    lazyConnect: true,
    // A cache that is down must cost a miss, not a queue of commands waiting for it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  // Commands issued in the same tick (the loaders of one request, several requests' reads) leave
  // in one write: one system call, and one wake-up of Redis, instead of one per command.
  const redis = createRedis(url, { ...connection, enableAutoPipelining: true });
  const subscriber = createRedis(url, { ...connection, commandTimeout: undefined });
  // On a cluster every command names one key (see isCluster): no command can span two slots.
  const cluster = isCluster(redis);
  const local = localTier(options.localEntries ?? 10_000);
  const clock = invalidationClock();
  const listeners: ((tags: readonly string[]) => void)[] = [];
  const applyInvalidation = (tags: readonly string[]) => {
    clock.mark(tags);
    local.dropTags(tags);
    listeners.forEach((l) => l(tags));
  };

  for (const client of [redis, subscriber]) client.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      applyInvalidation(JSON.parse(message) as string[]);
    } catch {
      logger.warn({ message: message.slice(0, 200) }, 'unreadable cache invalidation');
    }
  });
  // Whatever was said on the channel while disconnected is lost: start the local tier afresh.
  subscriber.on('ready', () => {
    local.clear();
    subscriber.subscribe(channel).catch((err) => logger.warn({ err: err.message }, 'cache invalidation subscribe failed'));
  });
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (err) {
    // Start anyway: the service answers from its backends and caching resumes on reconnect.
    logger.warn({ err: (err as Error).message }, 'redis unavailable at start; serving uncached');
  }

  const failOpen = async <T>(what: string, fallback: T, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      logger.warn({ err: (err as Error).message, op: what }, 'cache bypassed');
      return fallback;
    }
  };
  // Writes of one event-loop turn (every batch a request's resolvers loaded) go to Redis as one
  // transaction: one round trip, and one SADD per tag for all the entries that share it.
  let queued: { write: CacheWrite; readSince?: number; expiresAt: number }[] = [];
  let flushing: Promise<void> | undefined;
  const flush = () => {
    const wave = queued.filter(({ write, readSince }) => readSince === undefined || !clock.staleSince(write.tags, readSince));
    queued = [];
    flushing = undefined;
    if (wave.length === 0) return Promise.resolve();
    return failOpen('set', undefined, async () => {
      const entries: [string, Buffer, number][] = [];
      const byTag = new Map<string, { keys: string[]; keepMs: number }>();
      for (const { write, expiresAt } of wave) {
        // Kept past its TTL to stand in for a failing backend; its tags live as long, so an
        // invalidation still drops it: a known change is never served, stale or not.
        const keepMs = Math.max(1, expiresAt - Date.now()) + staleMs;
        const entry: CacheEntry = { value: write.value, storedAt: write.storedAt, expiresAt, tags: write.tags };
        entries.push([entryKey(write.key), serialize(entry), keepMs]);
        for (const tag of write.tags) {
          const members = byTag.get(tag);
          if (members) {
            members.keys.push(write.key);
            members.keepMs = Math.max(members.keepMs, keepMs);
          } else byTag.set(tag, { keys: [write.key], keepMs });
        }
      }
      if (!cluster) {
        const pipeline = redis.multi();
        for (const [key, value, keepMs] of entries) pipeline.set(key, value, 'PX', keepMs);
        for (const [tag, { keys, keepMs }] of byTag) pipeline.sadd(tagKey(tag), ...keys).pexpire(tagKey(tag), keepMs, 'GT').pexpire(tagKey(tag), keepMs, 'NX');
        await pipeline.exec();
        return;
      }
      // No transaction spans slots: the tag sets first, so an entry that made it into Redis is
      // always one an invalidation finds (a member without its entry costs nothing).
      await Promise.all(
        [...byTag].map(([tag, { keys, keepMs }]) => redis.multi().sadd(tagKey(tag), ...keys).pexpire(tagKey(tag), keepMs, 'GT').pexpire(tagKey(tag), keepMs, 'NX').exec()),
      );
      await Promise.all(entries.map(([key, value, keepMs]) => redis.set(key, value, 'PX', keepMs)));
    });
  };
  const entryKey = (key: string) => `${ns}:e:${key}`;
  const tagKey = (tag: string) => `${ns}:t:${tag}`;
  // The local tier is only safe while invalidations can reach this process.
  const localUsable = () => subscriber.status === 'ready';

  return {
    kind: 'redis',
    client: redis,
    getMany: async (keys) => {
      const found: (CacheEntry | undefined)[] = keys.map((key) => (localUsable() ? local.get(key) : undefined));
      const missing = keys.map((key, i) => (found[i] ? -1 : i)).filter((i) => i >= 0);
      if (missing.length === 0) return found;
      const wanted = missing.map((i) => entryKey(keys[i]));
      const raw = await failOpen('get', [] as (Buffer | null)[], () => (cluster ? Promise.all(wanted.map((key) => redis.getBuffer(key))) : redis.mgetBuffer(...wanted)));
      raw.forEach((buffer, n) => {
        if (!buffer) return;
        try {
          const entry = deserialize(buffer) as CacheEntry;
          found[missing[n]] = entry;
          // The next read of a hot key in this process costs no round trip.
          if (localUsable()) {
            const key = keys[missing[n]];
            // Fresh entries only: a stale one stays in Redis, for when its backend fails.
            if (entry.expiresAt > Date.now()) {
              local.set({ key, value: entry.value, storedAt: entry.storedAt, ttlSeconds: 0, tags: entry.tags }, Math.min(entry.expiresAt - Date.now(), localTtlMs), entry.expiresAt);
            }
          }
        } catch {
          // An entry written by an incompatible version is a miss.
        }
      });
      return found;
    },
    setMany: (entries, readSince) => {
      for (const write of entries) {
        if (readSince !== undefined && clock.staleSince(write.tags, readSince)) continue;
        const ttlMs = Math.max(1, Math.round(write.ttlSeconds * 1000));
        // The local tier has it at once; Redis with the next write wave.
        if (localUsable()) local.set(write, Math.min(ttlMs, localTtlMs), Date.now() + ttlMs);
        queued.push({ write, readSince, expiresAt: Date.now() + ttlMs });
      }
      return (flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush));
    },
    invalidateTags: async (tags) => {
      if (tags.length === 0) return true;
      applyInvalidation(tags);
      return failOpen('invalidate', false, async () => {
        const members = await Promise.all(tags.map((tag) => redis.smembers(tagKey(tag))));
        const keys = [...new Set(members.flat())].map(entryKey);
        if (cluster) {
          await Promise.all([...keys, ...tags.map(tagKey)].map((key) => redis.del(key)));
          await redis.publish(channel, JSON.stringify(tags));
          return true;
        }
        const pipeline = redis.multi();
        if (keys.length) pipeline.del(...keys);
        pipeline.del(...tags.map(tagKey));
        pipeline.publish(channel, JSON.stringify(tags));
        await pipeline.exec();
        return true;
      });
    },
    onInvalidate: (listener) => void listeners.push(listener),
    ping: async () => void (await redis.ping()),
    close: async () => {
      local.clear();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
