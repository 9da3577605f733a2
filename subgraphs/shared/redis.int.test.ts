import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createCallerAuth, mintToken } from '../../gateway/auth';
import { TEST_REDIS_URL } from '../../test/helpers/db';
import { startRedisCluster, startRedisSentinel, type RedisTopology } from '../../test/helpers/redis-topologies';
import { createRedisCache, type Cache, type CacheWrite } from './cache';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { createRedis, isCluster } from './redis';

const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const write = (key: string, value: unknown, tags: string[]): CacheWrite => ({ key, value, tags, ttlSeconds: 30, storedAt: Date.now() });

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('not within the time');
    await sleep(20);
  }
}

/** Two gateways' caller checks, each on its own connection to `url`, with a customer limit of 5/s. */
async function twoGateways(url: string, ns: string, log = logger) {
  const config = loadConfig({ RATE_LIMITS: 'customer=5' });
  const caches = [await createRedisCache(url, log, { namespace: ns }), await createRedisCache(url, log, { namespace: ns })];
  const gateways = caches.map((cache) => createCallerAuth(config.auth, config.gatewaySecret, undefined, { client: cache.client!, namespace: ns, logger: log }));
  const token = await mintToken({ role: 'customer', sub: `cus_${randomBytes(3).toString('hex')}` }, config.auth);
  const request = { headers: { authorization: `Bearer ${token}` } } as unknown as IncomingMessage;
  /** Sends `n` requests alternating between the gateways within one second; answers how many passed. */
  const burst = async (n: number) => {
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => gateways[i % 2](request)));
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason.extensions.code).toBe('RATE_LIMITED');
    return outcomes.filter((o) => o.status === 'fulfilled').length;
  };
  return { burst, close: () => Promise.all(caches.map((c) => c.close())) };
}

describe.each([
  ['Redis Cluster (3 primaries)', startRedisCluster],
  ['Redis Sentinel', startRedisSentinel],
])('on %s', (_, start) => {
  let topology: RedisTopology;
  const ns = `test:${randomBytes(4).toString('hex')}`;
  const replicas: Cache[] = [];
  beforeAll(async () => {
    topology = await start();
    replicas.push(await createRedisCache(topology.url, logger, { namespace: ns }), await createRedisCache(topology.url, logger, { namespace: ns }));
    await eventually(() => replicas.every((r) => r.client!.status === 'ready'));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await topology?.stop();
  });

  it('caches, reads back in key order and invalidates by tag across replicas, with no CROSSSLOT', async () => {
    const [a, b] = replicas;
    const heard: string[][] = [];
    a.onInvalidate((tags) => heard.push([...tags]));
    // Forty orders of twenty customers: their keys and tags fall in many slots of a cluster.
    const writes = Array.from({ length: 40 }, (_, i) => write(`orders:Order:ord_${i}`, { id: `ord_${i}` }, [`order:ord_${i}`, `customer:cus_${i % 20}`]));
    await a.setMany(writes);
    const keys = writes.map((w) => w.key);
    // Replica b has nothing in process: every hit comes from Redis.
    expect((await b.getMany([...keys, 'orders:Order:missing'])).map((e) => (e?.value as { id: string } | undefined)?.id)).toEqual([...writes.map((w) => (w.value as { id: string }).id), undefined]);

    await expect(b.invalidateTags(['customer:cus_3', 'order:ord_10'])).resolves.toBe(true);
    // a hears it over pub/sub and drops its in-process copies: it reads what Redis now holds.
    await eventually(() => heard.some((tags) => tags.includes('customer:cus_3')));
    const after = await a.getMany(keys);
    const dropped = keys.filter((_, i) => !after[i]);
    expect(dropped.sort()).toEqual(['orders:Order:ord_10', 'orders:Order:ord_23', 'orders:Order:ord_3'].sort());
  });

  it('uses the topology: keys spread over several cluster nodes, or the primary Sentinel names', async () => {
    const client = replicas[0].client!;
    if (isCluster(client)) {
      const perNode = await Promise.all(client.nodes('master').map((node) => node.dbsize()));
      expect(perNode.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    } else {
      expect(client.stream.remotePort).toBe(topology.ports[0]);
    }
  });

  it('counts one caller across two gateways: the limit is allowed once, not twice', async () => {
    const pair = await twoGateways(topology.url, ns);
    try {
      expect(await pair.burst(10)).toBe(5);
    } finally {
      await pair.close();
    }
  });

  it('runs the vendor pause script and the connection factory on this topology', async () => {
    const client = createRedis(topology.url, { lazyConnect: true });
    try {
      await client.connect();
      await expect(client.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, `${ns}:probe`, 'x')).resolves.toBe('OK');
      await expect(client.get(`${ns}:probe`)).resolves.toBe('x');
    } finally {
      client.disconnect();
    }
  });
});

describe('the caller rate limits on one Redis', () => {
  const ns = `test:${randomBytes(4).toString('hex')}`;

  it('two gateways on one Redis allow the limit once, not twice', async () => {
    const pair = await twoGateways(TEST_REDIS_URL, ns);
    try {
      expect(await pair.burst(12)).toBe(5);
    } finally {
      await pair.close();
    }
  });

  it('falls open to per-process limits while Redis is unreachable, and says so in the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const pair = await twoGateways('redis://127.0.0.1:1', ns, createLogger('test', 'warn', sink));
    try {
      // Each gateway counts alone: 5 each, still a limit.
      expect(await pair.burst(14)).toBe(10);
      expect(lines.join('')).toMatch(/caller rate limits counted in this process only/);
    } finally {
      await pair.close();
    }
  });
});
