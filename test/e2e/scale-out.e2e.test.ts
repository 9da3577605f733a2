import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { mintToken } from '../../gateway/auth';
import { loadConfig, SUBGRAPHS } from '../../subgraphs/shared/config';
import { seedDemo } from '../fixtures/seed';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../helpers/db';
import { startHaproxy, type Proxy } from '../helpers/haproxy';
import { freePorts, runEntry, type Child } from '../helpers/process';

/**
 * The graph as a platform team scales it: two gateways behind HAProxy, two replicas of each
 * subgraph (each pair behind HAProxy too), one PostgreSQL, one Redis; every part a real process.
 */
const operation = (name: string) => readFileSync(join(__dirname, `../../schema/operations/${name}.graphql`), 'utf8');
const FIRST_LOOK = operation('FirstLook');
const RECORD = operation('RecordInteraction');
const POLICY = operation('ReturnPolicy');
const auth = loadConfig({}).auth;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(port: number, token: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
}

describe('scale-out: two gateways and two replicas of each subgraph behind HAProxy', () => {
  let db: TestDatabase;
  let proxy: Proxy;
  const gateways: Child[] = [];
  const replicas: Record<string, Child[]> = {};
  let gatewayPorts: number[];
  let front: number;
  const customer = (id: string) => mintToken({ role: 'customer', sub: id }, auth);

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.database.db, { customers: 20 });
    const ports = await freePorts(2 + SUBGRAPHS.length * 3 + 1);
    gatewayPorts = ports.slice(0, 2);
    const replicaPorts = Object.fromEntries(SUBGRAPHS.map((name, i) => [name, ports.slice(2 + i * 2, 4 + i * 2)]));
    const proxyPorts = Object.fromEntries(['gateway', ...SUBGRAPHS].map((name, i) => [name, ports[2 + SUBGRAPHS.length * 2 + i]]));
    front = proxyPorts.gateway;
    const env: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_NAMESPACE: `scale-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
      // Writers below are many customers at once; ReturnPolicy by operations shows the shared limit.
      RATE_LIMITS: 'customer=1000,operations=10',
      // What is measured here is correctness, not speed: a loaded CI box must not turn into timeouts or shedding.
      REQUEST_TIMEOUT_MS: '30000',
      SUBGRAPH_TIMEOUTS_MS: 'default=20000',
      BACKEND_TIMEOUTS_MS: 'default=15000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${proxyPorts[name]}/graphql`])),
    };
    // The first replica of each subgraph, then the second ones (which find tsx's compiled files
    // cached), then the gateways: ten processes at once would crowd a small CI machine.
    const started = performance.now();
    for (const i of [0, 1]) {
      const wave = SUBGRAPHS.map((name) => runEntry(`subgraphs/${name}/index.ts`, { ...env, LOG_LEVEL: 'info', [`${name.toUpperCase()}_PORT`]: String(replicaPorts[name][i]) }));
      SUBGRAPHS.forEach((name, n) => (replicas[name] ??= []).push(wave[n]));
      await Promise.all(wave.map((c) => c.waitFor(/subgraph ready/, 300_000)));
    }
    gateways.push(...gatewayPorts.map((port) => runEntry('gateway/index.ts', { ...env, LOG_LEVEL: 'info', GATEWAY_PORT: String(port) })));
    await Promise.all(gateways.map((g) => g.waitFor(/gateway ready/, 300_000)));
    proxy = await startHaproxy(
      {
        gateway: gatewayPorts.map((port, i) => ({ name: `gateway-${i + 1}`, port })),
        ...Object.fromEntries(SUBGRAPHS.map((name) => [name, replicaPorts[name].map((port, i) => ({ name: `${name}-${i + 1}`, port }))])),
      },
      proxyPorts,
    );
    // Each process's first requests (plans, pools, connections) before anything is compared or timed.
    const token = await customer('cus_000001');
    for (let i = 0; i < 4; i++) for (const port of gatewayPorts) await post(port, token, FIRST_LOOK, { customerId: 'cus_000001' }, { 'cache-control': 'no-cache' });
    process.stderr.write(`scale-out: 10 processes up in ${Math.round(performance.now() - started)} ms\n`);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([...gateways, ...Object.values(replicas).flat()].map((c) => c.stop()));
    await proxy?.stop();
    await db?.drop();
  }, 60_000);

  it('answers the same whichever gateway and subgraph replica serves', async () => {
    const token = await customer('cus_000004');
    const before = await proxy.served();
    const answers = [];
    // Uncached and cached, through each gateway directly and through the front: round robin at
    // each subgraph's HAProxy sends these to both replicas of every subgraph.
    for (let i = 0; i < 4; i++) {
      for (const port of [...gatewayPorts, front]) answers.push(await post(port, token, FIRST_LOOK, { customerId: 'cus_000004' }, i % 2 ? {} : { 'cache-control': 'no-cache' }));
    }
    expect(answers[0].status).toBe(200);
    expect(answers[0].body.errors).toBeUndefined();
    expect(answers[0].body.data.customer.orders.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const after = await proxy.served();
    for (const name of SUBGRAPHS) for (const i of [1, 2]) expect(after[`${name}/${name}-${i}`]).toBeGreaterThan(before[`${name}/${name}-${i}`]);
  });

  it('shows a write through one gateway through the other within a second', async () => {
    const token = await customer('cus_000007');
    const summaries = async (port: number) => ((await post(port, token, FIRST_LOOK, { customerId: 'cus_000007' })).body.data?.customer.interactions ?? []).map((i: { summary: string }) => i.summary);
    // The second gateway has the customer's answer cached before the write.
    const marker = `seen-elsewhere-${randomBytes(3).toString('hex')}`;
    expect(await summaries(gatewayPorts[1])).not.toContain(marker);
    const written = await post(gatewayPorts[0], token, RECORD, {
      input: { customerId: 'cus_000007', channel: 'PORTAL', intent: 'WHERE_IS_MY_ORDER', outcome: 'RESOLVED', summary: marker, idempotencyKey: marker },
    });
    expect(written.body.errors).toBeUndefined();
    const at = performance.now();
    while (!(await summaries(gatewayPorts[1])).includes(marker)) {
      expect(performance.now() - at).toBeLessThan(1_000);
      await sleep(25);
    }
    process.stderr.write(`scale-out: the write seen through the other gateway after ${Math.round(performance.now() - at)} ms\n`);
  });

  it('holds a caller to its rate across both gateways', async () => {
    const token = await mintToken({ role: 'operations', sub: `ops-${randomBytes(3).toString('hex')}` }, auth);
    // Sixteen senders at once for two seconds, through the front, so both gateways see the caller.
    // The limiter's windows are a second each: over D ms there are at most floor(D / 1000) + 1 of
    // them, and the pair allows ten in each (two gateways counting apart would allow twenty).
    const started = performance.now();
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() - started < 2_000) statuses.push((await post(front, token, POLICY, { category: 'shoes', country: 'DE' })).status);
      }),
    );
    const windows = Math.floor((performance.now() - started) / 1_000) + 1;
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThanOrEqual(10 * windows);
    // More were asked for than even twenty a window, so counting apart would have shown.
    expect(statuses.length).toBeGreaterThan(20 * windows);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  it('loses no accepted write and fails only requests in flight when a gateway and a subgraph replica are SIGKILLed under load', async () => {
    const run = randomBytes(3).toString('hex');
    type Outcome = { key: string; start: number; end: number; ok: boolean; id?: string; status: number; code?: string };
    const outcomes: Outcome[] = [];
    let stopping = false;
    const writer = async (w: number) => {
      const customerId = `cus_0000${String(10 + w).padStart(2, '0')}`;
      const token = await customer(customerId);
      for (let n = 0; !stopping; n++) {
        const key = `scale-${run}-${w}-${n}`;
        const start = performance.now();
        const res = await post(front, token, RECORD, {
          input: { customerId, channel: 'PORTAL', intent: 'WHERE_IS_MY_ORDER', outcome: 'RESOLVED', summary: key, idempotencyKey: key },
        }).catch(() => ({ status: 0, body: {} as { data?: any; errors?: { extensions?: { code?: string } }[] } }));
        const id = res.body.data?.recordInteraction?.id;
        outcomes.push({ key, start, end: performance.now(), ok: res.status === 200 && !res.body.errors && typeof id === 'string', id, status: res.status, code: (res.body.errors?.[0] as { extensions?: { code?: string } })?.extensions?.code });
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    await sleep(3_000);
    const kills: number[] = [];
    kills.push(performance.now());
    await gateways[0].kill();
    await sleep(1_500);
    kills.push(performance.now());
    await replicas.customers[0].kill();
    await sleep(4_000);
    stopping = true;
    await Promise.all(writers);

    // The two are gone and the proxy's health checks know it; their partners serve on.
    expect(await proxy.health()).toMatchObject({ 'gateway/gateway-1': 'DOWN', 'gateway/gateway-2': 'UP', 'customers/customers-1': 'DOWN', 'customers/customers-2': 'UP' });
    const accepted = outcomes.filter((o) => o.ok);
    const failed = outcomes.filter((o) => !o.ok);
    process.stderr.write(`scale-out: ${outcomes.length} writes under the kills, ${accepted.length} accepted, ${failed.length} failed (${failed.map((o) => o.code ?? o.status).join(', ')})\n`);
    // Steady load before, between and after the kills.
    expect(accepted.filter((o) => o.start > kills[1] + 1_000).length).toBeGreaterThan(4);
    // A request that failed was on its way when a process died: sent before a kill, answered after it.
    expect(failed.filter((o) => !kills.some((k) => o.start <= k && o.end >= k))).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(8);

    const rows = await sql<{ summary: string; id: string; n: number }>`
      select summary, min(id) as id, count(*)::int as n from customers_records.interactions where summary like ${`scale-${run}-%`} group by summary`.execute(db.database.db);
    const stored = new Map(rows.rows.map((r) => [r.summary, r]));
    // Every write that got a 200 is there, once, as the interaction the client was told of.
    for (const o of accepted) expect(stored.get(o.key)).toEqual({ summary: o.key, id: o.id, n: 1 });
    // And none is there twice, whether the client heard of it or not.
    expect(rows.rows.filter((r) => r.n !== 1)).toEqual([]);
  }, 60_000);
});
