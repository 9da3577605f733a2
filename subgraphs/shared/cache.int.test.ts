import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '../../test/helpers/db';
import { createMemoryCache, createRedisCache, type Cache } from './cache';
import { createLogger } from './logger';

const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same behaviour from both back-ends behind the one interface. */
describe.each([
  ['memory', async () => createMemoryCache(1_000)],
  ['redis', async () => createRedisCache(TEST_REDIS_URL, logger)],
])('the %s cache', (_, create) => {
  let cache: Cache;
  // Keys unique to this run: parallel test files share the Redis server.
  const ns = `test:${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    cache = await create();
  });
  afterAll(() => cache.close());

  it('answers in key order, undefined for a miss, and keeps JSON values', async () => {
    await cache.setMany([
      { key: `${ns}:a`, value: { id: 'a', n: 1, tags: ['x'] }, ttlSeconds: 30 },
      { key: `${ns}:b`, value: 'b', ttlSeconds: 30 },
    ]);
    await expect(cache.getMany([`${ns}:b`, `${ns}:missing`, `${ns}:a`])).resolves.toEqual(['b', undefined, { id: 'a', n: 1, tags: ['x'] }]);
    await expect(cache.getMany([])).resolves.toEqual([]);
  });

  it('forgets an entry when its TTL runs out', async () => {
    await cache.setMany([{ key: `${ns}:short`, value: 1, ttlSeconds: 0.2 }]);
    await expect(cache.getMany([`${ns}:short`])).resolves.toEqual([1]);
    await sleep(350);
    await expect(cache.getMany([`${ns}:short`])).resolves.toEqual([undefined]);
  });

  it('deletes entries', async () => {
    await cache.setMany([{ key: `${ns}:gone`, value: 1, ttlSeconds: 30 }]);
    await cache.deleteMany([`${ns}:gone`]);
    await expect(cache.getMany([`${ns}:gone`])).resolves.toEqual([undefined]);
  });

  it('answers ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });
});

describe('the redis cache', () => {
  it('is shared between processes: what one instance writes another reads', async () => {
    const [a, b] = [await createRedisCache(TEST_REDIS_URL, logger), await createRedisCache(TEST_REDIS_URL, logger)];
    const key = `test:${randomBytes(4).toString('hex')}:shared`;
    await a.setMany([{ key, value: { v: 1 }, ttlSeconds: 30 }]);
    await expect(b.getMany([key])).resolves.toEqual([{ v: 1 }]);
    const raw = new Redis(TEST_REDIS_URL);
    expect(Number(await raw.pttl(key))).toBeGreaterThan(25_000);
    raw.disconnect();
    await Promise.all([a.close(), b.close()]);
  });

  it('fails open when Redis cannot be reached: misses, no errors, and ping reports it', async () => {
    const cache = await createRedisCache('redis://127.0.0.1:1', logger);
    const started = Date.now();
    await expect(cache.getMany(['k'])).resolves.toEqual([undefined]);
    await expect(cache.setMany([{ key: 'k', value: 1, ttlSeconds: 1 }])).resolves.toBeUndefined();
    await expect(cache.deleteMany(['k'])).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(cache.ping()).rejects.toThrow();
    await cache.close();
  });
});
