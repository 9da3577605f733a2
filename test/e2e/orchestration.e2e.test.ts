import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { logisticsSubgraph } from '../../subgraphs/logistics/server';
import { createMemoryCache } from '../../subgraphs/shared/cache';
import { loadConfig } from '../../subgraphs/shared/config';
import { createDatabase } from '../../subgraphs/shared/db';
import { freePorts } from '../../subgraphs/shared/http';
import { createLogger } from '../../subgraphs/shared/logger';
import { startSubgraph } from '../../subgraphs/shared/subgraph';
import { createTestDatabase } from '../helpers/db';
import { startTestStack, type TestStack } from '../helpers/stack';

const readyz = async (base: string) => {
  const res = await fetch(new URL('/readyz', base));
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
};

/** A Redis of this test's own, so that it can go away without touching anyone else's. */
async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      probe.on('exit', () => resolve(out.includes('PONG')));
    });
    if (up) return redis;
    await new Promise((r) => setTimeout(r, 100));
  }
  redis.kill('SIGKILL');
  throw new Error('redis-server did not come up');
}

/** What an orchestrator's probes and a browser on another origin see. */
describe('readiness that does not cascade, and CORS', () => {
  let t: TestStack;
  let redis: ChildProcess;
  const PORTAL = 'https://portal.example.com';
  beforeAll(async () => {
    const [redisPort] = await freePorts(1);
    redis = await startRedis(redisPort);
    t = await startTestStack({ customers: 5, env: { REDIS_URL: `redis://127.0.0.1:${redisPort}`, CORS_ORIGINS: PORTAL } });
  });
  afterAll(async () => {
    redis?.kill('SIGKILL');
    await t?.close();
  });

  const myProfile = async () => {
    const customerId = t.data.customers[0].id;
    return t.operation('MyProfile', { customerId, locale: 'en-GB' }, await t.asCustomer(customerId));
  };

  it('keeps every service ready, degraded, and answering while Redis is gone; only a subgraph’s own database counts', async () => {
    for (const base of Object.values(t.stack.subgraphUrls)) expect(await readyz(base)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', backend: 'up', cache: 'up' } } });

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    for (const base of Object.values(t.stack.subgraphUrls)) {
      expect(await readyz(base)).toEqual({ status: 200, body: { status: 'degraded', checks: { database: 'up', backend: 'up', cache: 'down' } } });
    }
    expect((await readyz(t.stack.url)).status).toBe(200);
    // And it does serve: uncached, from the systems of record.
    const answer = await myProfile();
    expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
    expect(answer.body.data.customer.id).toBe(t.data.customers[0].id);
  });

  it('keeps the gateway ready with a subgraph down, showing which in the body', async () => {
    await t.stack.subgraphs.payments.close();
    const { status, body } = await readyz(t.stack.url);
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'degraded', checks: { orders: 'up', customers: 'up', payments: 'down', logistics: 'up' } });
    // The graph answers what the others hold.
    const answer = await myProfile();
    expect(answer.body.data?.customer?.id).toBe(t.data.customers[0].id);
  });

  it('answers a browser on a listed origin: the preflight, then the query', async () => {
    const preflight = await fetch(t.stack.url, {
      method: 'OPTIONS',
      headers: { origin: PORTAL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, PORTAL]);
    const customerId = t.data.customers[0].id;
    const res = await fetch(t.stack.url, {
      method: 'POST',
      headers: { origin: PORTAL, 'content-type': 'application/json', ...(await t.asCustomer(customerId)) },
      body: JSON.stringify({ query: /* GraphQL */ `query ($id: ID!) { customer(id: $id) { id } }`, variables: { id: customerId } }),
    });
    expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([200, PORTAL]);
    expect(((await res.json()) as any).data.customer.id).toBe(customerId);
    const other = await fetch(t.stack.url, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example.com', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

/** A TCP path to PostgreSQL that the test can cut: the subgraph's database going away. */
async function startCuttableProxy(target: URL) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

describe('a subgraph whose own database goes away', () => {
  it('is no longer ready (503), naming the database', async () => {
    const testDb = await createTestDatabase();
    const target = new URL(testDb.url);
    const proxy = await startCuttableProxy(target);
    const url = new URL(testDb.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const database = await createDatabase({ url: url.toString(), poolMax: 2 });
    const config = loadConfig({ NODE_ENV: 'test', LOGISTICS_PORT: '0', SEED_ON_START: 'false' });
    const subgraph = await startSubgraph(logisticsSubgraph, {
      config,
      db: database.db,
      cache: createMemoryCache(100),
      logger: createLogger('test', 'silent'),
      readiness: { required: { database: () => database.ping() } },
    });
    try {
      expect((await readyz(subgraph.url)).status).toBe(200);
      proxy.cut();
      const { status, body } = await readyz(subgraph.url);
      expect(status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.database).toBe('down');
      // Alive all the same: an orchestrator stops sending traffic, it does not restart the process.
      expect((await fetch(new URL('/healthz', subgraph.url))).status).toBe(200);
    } finally {
      await subgraph.close();
      await database.close().catch(() => undefined);
      await testDb.drop();
    }
  });
});
