import { createMemoryCache } from './cache';
import { createBatchCache, freshReads, responsePolicy, ttlPolicy, type ResponseCachePolicy } from './cached';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const cache = createMemoryCache(1_000);
  const calls: string[][] = [];
  let value = 'v1';
  const cached = createBatchCache(cache, 'test', ttlPolicy({ default: 30 }))<string, { id: string; value: string; asOf?: Date } | null>({
    type: 'Thing',
    key: (id) => id,
    tags: (_, id) => [`thing:${id}`],
    load: async (ids) => {
      calls.push([...ids]);
      await sleep(20);
      return ids.map((id) => (id === 'missing' ? null : { id, value }));
    },
  });
  return { cache, cached, calls, change: (v: string) => (value = v) };
}

describe('reads through the entity cache', () => {
  it('loads misses in one batch, then answers from the cache, stamped with when they were read', async () => {
    const { cached, calls } = setup();
    const first = await cached(['a', 'b', 'missing']);
    expect(first.map((t) => t?.id ?? null)).toEqual(['a', 'b', null]);
    expect(first[0]?.asOf).toBeInstanceOf(Date);
    const second = await cached(['b', 'a', 'missing']);
    expect(second.map((t) => t?.id ?? null)).toEqual(['b', 'a', null]);
    expect(calls).toEqual([['a', 'b', 'missing']]);
    expect(second[1]?.asOf).toEqual(first[0]?.asOf);
  });

  it('loads a hot key once however many requests miss it at the same moment (single-flight)', async () => {
    const { cached, calls } = setup();
    const answers = await Promise.all(Array.from({ length: 50 }, () => cached(['hot'])));
    expect(calls).toEqual([['hot']]);
    expect(new Set(answers.map(([t]) => t?.value))).toEqual(new Set(['v1']));
  });

  it('reads again after an invalidation of the value’s tag', async () => {
    const { cache, cached, calls, change } = setup();
    await cached(['a']);
    change('v2');
    await cache.invalidateTags(['thing:a']);
    expect((await cached(['a']))[0]?.value).toBe('v2');
    expect(calls).toHaveLength(2);
  });

  it('skips the cache for a request that asked for fresh data, and refills it', async () => {
    const { cached, calls, change } = setup();
    await cached(['a']);
    change('v2');
    expect((await cached(['a']))[0]?.value).toBe('v1');
    expect((await freshReads.run(Infinity, () => cached(['a'])))[0]?.value).toBe('v2');
    await sleep(5);
    expect((await cached(['a']))[0]?.value).toBe('v2');
    expect(calls).toHaveLength(2);
  });

  it('reloads for a min-fresh request only what would expire within it', async () => {
    const { cached, calls, change } = setup();
    await cached(['a']);
    change('v2');
    // The TTL is 30 s (at least 22.5 s after jitter): a 10 s min-fresh is served from the cache, 60 s is not.
    expect((await freshReads.run(10_000, () => cached(['a'])))[0]?.value).toBe('v1');
    expect((await freshReads.run(60_000, () => cached(['a'])))[0]?.value).toBe('v2');
    expect(calls).toHaveLength(2);
  });

  it('does not cache a value read while a write invalidated it', async () => {
    const { cache, cached, calls } = setup();
    const reading = cached(['a']); // the load takes 20 ms
    await sleep(5);
    await cache.invalidateTags(['thing:a']);
    await reading;
    await cached(['a']);
    expect(calls).toHaveLength(2);
  });

  it('reports the life a read is stored with (one draw of the jitter), and gives reads of a refresh ahead (min-fresh) their whole life', async () => {
    const { cache, cached, change } = setup();
    const policyOf = async (minFresh = 0) => {
      const policy: ResponseCachePolicy = { tags: new Set(), maxAge: Infinity };
      await freshReads.run(minFresh, () => responsePolicy.run(policy, () => cached(['a'])));
      return policy;
    };
    const loaded = await policyOf();
    const stored = async () => (await cache.getMany(['test:Thing:a']))[0]!;
    // Two draws differed by up to 7.5 s; one draw differs only by the whole seconds reported and the time this test took (a busy box: up to 2 s).
    expect(Math.abs(loaded.maxAge - ((await stored()).expiresAt - Date.now()) / 1000)).toBeLessThanOrEqual(2);
    expect([...loaded.tags]).toEqual(['thing:a']);
    change('v2');
    // A refresh asking 29 s more reloads the value, which then lives its whole 30 s: the next answer's life does not shrink.
    const refreshed = await policyOf(29_000);
    expect(refreshed.maxAge).toBeGreaterThanOrEqual(29);
    expect((await stored()).value).toEqual(expect.objectContaining({ value: 'v2' }));
    expect((await stored()).expiresAt - Date.now()).toBeGreaterThan(29_000);
  });
});
