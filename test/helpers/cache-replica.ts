import { createRedisCache } from '../../subgraphs/shared/cache';
import { createLogger } from '../../subgraphs/shared/logger';

/**
 * Another replica, in its own process, for the cache's cross-process test: caches a value in its
 * in-process tier, then reports what it holds once it hears of an invalidation.
 */
async function main() {
  const [url, namespace] = process.argv.slice(2);
  const cache = await createRedisCache(url, createLogger('replica', 'silent'), { namespace });
  await new Promise((r) => setTimeout(r, 100)); // subscribed
  cache.onInvalidate(async (tags) => {
    const [entry] = await cache.getMany(['k']);
    process.stdout.write(`invalidated ${tags.join(',')}; now ${entry ? String(entry.value) : 'undefined'}\n`);
  });
  await cache.setMany([{ key: 'k', value: 'old', storedAt: Date.now(), ttlSeconds: 60, tags: ['order:42'] }]);
  const [entry] = await cache.getMany(['k']);
  process.stdout.write(`cached ${String(entry?.value)}\n`);
}

void main();
