import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from './logger';

/**
 * A key-value cache of JSON values with a TTL per entry. Two back-ends: Redis when configured,
 * an in-process LRU otherwise. It fails open: a back-end error reads as a miss and is logged,
 * never thrown, so the data is fetched from the system of record instead.
 *
 *   const [order] = await cache.getMany(['orders:Order:ord_1']);
 *   await cache.setMany([{ key: 'orders:Order:ord_1', value: order, ttlSeconds: 5 }]);
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** Values in key order; `undefined` for a miss. */
  getMany(keys: readonly string[]): Promise<unknown[]>;
  setMany(entries: readonly { key: string; value: unknown; ttlSeconds: number }[]): Promise<void>;
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Throws when the back-end does not answer; for readiness checks only. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CacheOptions {
  redisUrl?: string;
  maxEntries?: number;
  logger: Logger;
}

export async function createCache(options: CacheOptions): Promise<Cache> {
  return options.redisUrl ? createRedisCache(options.redisUrl, options.logger) : createMemoryCache(options.maxEntries ?? 50_000);
}

export function createMemoryCache(maxEntries: number): Cache {
  const lru = new LRUCache<string, { value: unknown }>({ max: maxEntries, ttlAutopurge: false });
  return {
    kind: 'memory',
    getMany: async (keys) => keys.map((key) => lru.get(key)?.value),
    setMany: async (entries) => {
      for (const { key, value, ttlSeconds } of entries) lru.set(key, { value }, { ttl: ttlSeconds * 1000 });
    },
    deleteMany: async (keys) => {
      for (const key of keys) lru.delete(key);
    },
    ping: async () => undefined,
    close: async () => lru.clear(),
  };
}

export async function createRedisCache(url: string, logger: Logger): Promise<Cache> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // A cache that is down must cost a miss, not a queue of commands waiting for it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  try {
    await redis.connect();
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
  return {
    kind: 'redis',
    getMany: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : failOpen('get', keys.map(() => undefined), async () =>
            (await redis.mget(...keys)).map((raw) => (raw === null ? undefined : JSON.parse(raw))),
          ),
    setMany: (entries) =>
      failOpen('set', undefined, async () => {
        if (entries.length === 0) return;
        const pipeline = redis.multi();
        for (const { key, value, ttlSeconds } of entries) {
          pipeline.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlSeconds * 1000)));
        }
        await pipeline.exec();
      }),
    deleteMany: (keys) => failOpen('delete', undefined, async () => void (keys.length && (await redis.del(...keys)))),
    ping: async () => void (await redis.ping()),
    close: async () => {
      redis.disconnect();
    },
  };
}
