import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TEST_REDIS_URL } from '../../test/helpers/db';
import { createMemoryCache, createRedisCache, type Cache, type CacheWrite } from './cache';
import { createLogger } from './logger';

const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const write = (key: string, value: unknown, tags: string[] = [], ttlSeconds = 30): CacheWrite => ({ key, value, tags, ttlSeconds, storedAt: Date.now() });

/** The same behaviour from both back-ends behind the one interface. */
describe.each([
  ['memory', async (ns: string) => createMemoryCache(1_000)],
  ['redis', async (ns: string) => createRedisCache(TEST_REDIS_URL, logger, { namespace: ns })],
])('the %s cache', (_, create) => {
  let cache: Cache;
  // Keys unique to this run: parallel test files share the Redis server.
  const ns = `test:${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    cache = await create(ns);
  });
  afterAll(() => cache.close());

  it('answers in key order, undefined for a miss, and keeps values (Dates included) with when they were stored', async () => {
    const at = new Date('2026-11-21T10:00:00Z');
    await cache.setMany([write('a', { id: 'a', at, tags: ['x'] }), write('b', 'b')]);
    const [b, missing, a] = await cache.getMany(['b', 'missing', 'a']);
    expect(b?.value).toBe('b');
    expect(missing).toBeUndefined();
    expect(a?.value).toEqual({ id: 'a', at, tags: ['x'] });
    expect(a?.storedAt).toBeLessThanOrEqual(Date.now());
    await expect(cache.getMany([])).resolves.toEqual([]);
  });

  it('forgets an entry when its TTL runs out', async () => {
    await cache.setMany([write('short', 1, [], 0.2)]);
    expect((await cache.getMany(['short']))[0]?.value).toBe(1);
    await sleep(350);
    await expect(cache.getMany(['short'])).resolves.toEqual([undefined]);
  });

  it('drops every entry of an invalidated tag, and only those', async () => {
    await cache.setMany([write('o1', 1, ['order:1', 'customer:9']), write('o2', 2, ['order:2', 'customer:9']), write('o3', 3, ['order:3'])]);
    await cache.invalidateTags(['customer:9']);
    expect((await cache.getMany(['o1', 'o2', 'o3'])).map((e) => e?.value)).toEqual([undefined, undefined, 3]);
  });

  it('refuses to store a value read before its tag was invalidated', async () => {
    const readSince = Date.now();
    await sleep(5);
    await cache.invalidateTags(['order:race']);
    await cache.setMany([write('race', 'stale', ['order:race'])], readSince);
    await cache.setMany([write('fine', 'fresh', ['order:other'])], readSince);
    expect((await cache.getMany(['race', 'fine'])).map((e) => e?.value)).toEqual([undefined, 'fresh']);
  });

  it('answers ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });
});

describe('the redis cache across replicas', () => {
  it('drops what another replica holds in its in-process tier when one invalidates, within a second', async () => {
    const ns = `test:${randomBytes(4).toString('hex')}`;
    const [a, b] = [await createRedisCache(TEST_REDIS_URL, logger, { namespace: ns }), await createRedisCache(TEST_REDIS_URL, logger, { namespace: ns })];
    await sleep(100); // both subscribed
    await b.setMany([write('k', 'old', ['order:1'])]);
    expect((await b.getMany(['k']))[0]?.value).toBe('old');
    const heard = new Promise<number>((resolve) => b.onInvalidate(() => resolve(Date.now())));
    const sent = Date.now();
    await a.invalidateTags(['order:1']);
    expect((await heard) - sent).toBeLessThan(1_000);
    await expect(b.getMany(['k'])).resolves.toEqual([undefined]);
    await Promise.all([a.close(), b.close()]);
  });

  it('tells another process: a replica in a child process drops its copy when this one invalidates', async () => {
    const ns = `test:${randomBytes(4).toString('hex')}`;
    const child = spawn(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../test/helpers/cache-replica.ts'), TEST_REDIS_URL, ns], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    const next = () =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer from the replica; got ${lines.join(' | ')}`)), 15_000);
        child.stdout.once('data', (chunk: Buffer) => {
          clearTimeout(timer);
          lines.push(chunk.toString().trim());
          resolve(chunk.toString().trim());
        });
      });
    expect(await next()).toBe('cached old');
    const here = await createRedisCache(TEST_REDIS_URL, logger, { namespace: ns });
    const answer = next();
    await here.invalidateTags(['order:42']);
    expect(await answer).toBe('invalidated order:42; now undefined');
    child.kill();
    await here.close();
  });

  it('fails open when Redis cannot be reached: misses, no errors, bounded time, and ping reports it', async () => {
    const cache = await createRedisCache('redis://127.0.0.1:1', logger);
    const started = Date.now();
    await expect(cache.getMany(['k'])).resolves.toEqual([undefined]);
    await expect(cache.setMany([write('k', 1)])).resolves.toBeUndefined();
    // It never throws, and says the other replicas could not be told (the outbox relay retries then).
    await expect(cache.invalidateTags(['order:1'])).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(cache.ping()).rejects.toThrow();
    await cache.close();
  });
});
