import { execSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { sql } from 'kysely';
import { Client } from 'pg';
import { Pool } from 'undici';
import { operationId } from '../gateway/persisted';
import { loadOperations } from '../schema/operations';
import { mintToken } from '../gateway/auth';
import { signSessionToken, signViewer, UNRESTRICTED_SERVICE, VIEWER_HEADER } from '../subgraphs/shared/auth';
import { DEFAULT_CACHE_TTLS, DEMO_AUTH_JWT_SECRET, DEMO_GATEWAY_SECRET, DEMO_WEBHOOK_SECRET } from '../subgraphs/shared/config';
import { createDatabase, type Database } from '../subgraphs/shared/db';
import { signEvent } from '../subgraphs/shared/events';
import { customerId } from '../test/fixtures/demo-data';
import { benchMcp, type BenchCaller } from './bench-mcp';
import { seedDemo } from '../test/fixtures/seed';
import { freePorts, type Child } from '../test/helpers/process';
import { start, stopAll, untilListening } from './bench/children';
import { backendCalls, callsBetween, scaled, vendorRows } from './bench/backends';
import { cpuOf, perTurn, treeCpuMs } from './bench/cpu';
import { drive, fmt, load, percentile, ratio, send, summaryOf, type Load, type Outcome, type Turn } from './bench/load';
import { comparePeers, peerRows } from './bench/peers';

/**
 * `npm run bench`: the per-turn context operation under voice-agent load, federated as deployed
 * (gateway and four subgraphs as five processes, real PostgreSQL and Redis) against a floor (the
 * same resolvers and adapters in one non-federated server) and the gateways users would otherwise
 * run, with local and with slow backends, every figure measured in this run. Writes BENCHMARKS.md.
 * Settings: BENCH_CUSTOMERS (100000), BENCH_SECONDS (15 per load step), BENCH_DATABASE_URL,
 * BENCH_REDIS_URL, and CACHE_TTL_SECONDS for the services. BENCH_QUICK=1: a few seconds a step on
 * a small seed of its own database, to check the bench works; it writes its report to the temp
 * directory, never BENCHMARKS.md (its figures mean nothing).
 */
const QUICK = process.env.BENCH_QUICK === '1';
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? (QUICK ? 3_000 : 100_000));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 3 : 15));
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/bench_customer_context${QUICK ? '_quick' : ''}`;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const VOICE_RATE = 200; // 600 simultaneous calls, one turn every 3 s each
const P99_BUDGET_MS = 100;
const TURN_SECONDS = 3; // a voice call takes a turn every 3 s
const WARM_CALLS = VOICE_RATE * TURN_SECONDS; // 600 simultaneous calls at 200/s
const COLD_CALLS = QUICK ? 600 : 8_000;
/** The voice mix: a call lasts 60 turns on average (3 min), so about 1 turn in 60 is a new call's cold first turn. */
const MEAN_CALL_TURNS = 60;
const MIX_SECONDS = QUICK ? 6 : 60;
/** New calls a second in the arrivals test: ten times HSE's (600 simultaneous calls of 3 min ≈ 3.3 new calls/s). */
const NEW_CALL_RATE = 33;
const ARRIVALS_SECONDS = QUICK ? 4 : 30;
const PREWARM_IN_FLIGHT = 8;
/** Slow backends: each system-of-record call takes a delay drawn from this range (ms), as a SaaS API's. */
const SLOW_MS = { min: 80, max: 250 };
/** Cold turns taken one at a time where a turn's time in backend delays is measured. */
const SEQUENTIAL_TURNS = QUICK ? 4 : 15;
/**
 * Unmeasured turns at the measured rate before a warm measurement: one default cache lifetime, so
 * the refreshes of the prewarm's first turns (taken all within seconds, so due all at once) are
 * behind, and what is measured is calls in progress, not 600 calls starting together.
 */
const SETTLE_SECONDS = QUICK ? 3 : 30;
const LADDER = QUICK ? [50, 200, 400] : [25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 400, 500];
/** Seconds of the spike's phases: before, ramp, peak, after. */
const SPIKE = QUICK ? { before: 2, ramp: 2, peak: 3, after: 3 } : { before: 10, ramp: 10, peak: 20, after: 30 };
const OUTAGE_SECONDS = QUICK ? 4 : 20;
const INVALIDATION_SAMPLES = QUICK ? 5 : 40;

/** The benchmark polls subgraphs directly, as the graph itself. */
/** The bench reads subgraphs directly as the unrestricted service (never accepted with NODE_ENV=production). */
const service = () => signViewer({ kind: 'service', id: UNRESTRICTED_SERVICE }, DEMO_GATEWAY_SECRET, { audience: 'orders', requestId: 'bench' });
const log = (message: string) => process.stdout.write(`[bench] ${message}\n`);
const DAY = 86_400_000;

async function ensureDatabase(): Promise<void> {
  const url = new URL(DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new URL(DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (!exists.rowCount) await client.query(`create database "${name}"`);
  await client.end();
}

/** Seeds once per size and day (the data is anchored to the day); says how long it took. */
async function seedIfNeeded(database: Database): Promise<string> {
  const anchor = new Date().toISOString().slice(0, 10);
  await sql`create table if not exists public.bench_seed (customers int, anchor text)`.execute(database.db);
  const { rows } = await sql<{ customers: number; anchor: string }>`select * from public.bench_seed`.execute(database.db);
  if (rows[0]?.customers === CUSTOMERS && rows[0]?.anchor === anchor) return 'reused (seeded earlier today)';
  const started = performance.now();
  await seedDemo(database.db, { customers: CUSTOMERS, onProgress: (n) => n % 20_000 === 0 && log(`  seeded ${n} customers`) });
  await sql`delete from public.bench_seed`.execute(database.db);
  await sql`insert into public.bench_seed values (${CUSTOMERS}, ${anchor})`.execute(database.db);
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

/** The customer of each session the bench created. */
const customerOf = new Map<string, string>();

/** Verified sessions for many different customers, as if each call had just verified its caller. */
async function createSessions(database: Database, count: number, offset: number): Promise<string[]> {
  const tokens: string[] = [];
  const rows = [];
  const now = new Date();
  const expiresAt = new Date(now.getTime() + DAY);
  for (let i = 0; i < count; i++) {
    const index = (offset + i * 7919) % CUSTOMERS; // spread over the whole base
    const id = `vs_bench_${randomBytes(8).toString('hex')}`;
    const token = await signSessionToken({ sessionId: id, customerId: customerId(index), channel: 'VOICE', expiresAt }, DEMO_GATEWAY_SECRET);
    tokens.push(token);
    customerOf.set(token, customerId(index));
    rows.push({
      id,
      tokenHash: createHash('sha256').update(token).digest('hex'),
      customerId: customerId(index),
      channel: 'VOICE',
      method: 'POSTAL_CODE',
      agentId: 'bench',
      createdAt: now,
      expiresAt,
    });
  }
  for (let i = 0; i < rows.length; i += 2_000) await database.db.withSchema('customers_records').insertInto('verifiedSessions').values(rows.slice(i, i + 2_000)).execute();
  return tokens;
}

/** Calls verified over MCP in the AI agents' section (each verifies once, through the tools, before timing). */
const MCP_CALLERS = QUICK ? 10 : 100;

/** Verified callers with what MCP verification asks (email, shipping postal code), for scripts/bench-mcp.ts. */
async function mcpCallers(database: Database, count: number, offset: number): Promise<BenchCaller[]> {
  const sessions = await createSessions(database, count, offset);
  const ids = sessions.map((session) => customerOf.get(session)!);
  const rows = await database.db
    .withSchema('crm')
    .selectFrom('customers')
    .innerJoin('addresses', 'addresses.customerId', 'customers.id')
    .select(['customers.id', 'customers.email', 'addresses.postalCode'])
    .where('customers.id', 'in', ids)
    .where('addresses.kind', '=', 'SHIPPING')
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const bearer = await AGENT_TOKEN;
  return sessions.map((session, i) => {
    const row = byId.get(ids[i])!;
    return { bearer, session, customer: { id: row.id, email: row.email, postalCode: row.postalCode } };
  });
}

interface Stack {
  url: string;
  stop(): Promise<void>;
}

async function startFederated(env: Record<string, string>): Promise<Stack & { processes: Record<string, Child>; subgraphUrls: Record<string, string> }> {
  const [gateway, orders, customers, payments, logistics] = await freePorts(5);
  const all = {
    ...env,
    GATEWAY_PORT: String(gateway), ORDERS_PORT: String(orders), CUSTOMERS_PORT: String(customers), PAYMENTS_PORT: String(payments), LOGISTICS_PORT: String(logistics),
  };
  const ports = [orders, customers, payments, logistics];
  const children: Child[] = ['orders', 'customers', 'payments', 'logistics'].map((name) => start(`subgraphs/${name}/index.ts`, all));
  await Promise.all(children.map((c, i) => untilListening(c, ports[i])));
  const gw = start('gateway/index.ts', all);
  children.push(gw);
  await untilListening(gw, gateway);
  const processes = Object.fromEntries(['orders', 'customers', 'payments', 'logistics', 'gateway'].map((name, i) => [name, children[i]]));
  const subgraphUrls = { orders, customers, payments, logistics };
  return {
    url: `http://127.0.0.1:${gateway}/graphql`,
    processes,
    subgraphUrls: Object.fromEntries(Object.entries(subgraphUrls).map(([name, port]) => [name, `http://127.0.0.1:${port}/graphql`])),
    stop: async () => void (await Promise.all(children.map((c) => c.stop()))),
  };
}

async function startMonolith(env: Record<string, string>): Promise<Stack> {
  const [port] = await freePorts(1);
  const child = start('scripts/monolith-server.ts', { ...env, GATEWAY_PORT: String(port) });
  await untilListening(child, port);
  return { url: `http://127.0.0.1:${port}/graphql`, stop: async () => void (await child.stop()) };
}

const CONTEXT = loadOperations().CustomerContext;
const CONTEXT_ID = operationId(CONTEXT);

/** The per-turn context request: by persisted id (federated) or with its text (the floor has no APQ registry). */
const BODY = {
  persisted: JSON.stringify({ variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: CONTEXT_ID } } }),
  text: JSON.stringify({ query: CONTEXT, variables: {} }),
};
const body = (persisted: boolean) => (persisted ? BODY.persisted : BODY.text);

/** The voice platform's agent token (one service token for all its calls) and the call's verified session. */
const AGENT_TOKEN = mintToken({ role: 'agent', sub: 'voice-bot', channel: 'VOICE' }, { jwtSecret: DEMO_AUTH_JWT_SECRET, issuer: 'customer-context-graph', audience: 'customer-context-graph' }, '1d');
const headers = async (session: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${await AGENT_TOKEN}`, 'x-verified-session': session });
/** The per-turn request a call sends with its verified session. */
const contextTurn = (persisted: boolean): Turn => async (session) => ({ headers: await headers(session), body: body(persisted) });
const TURN = { persisted: contextTurn(true), text: contextTurn(false) };
const turnOf = (persisted: boolean) => (persisted ? TURN.persisted : TURN.text);

/**
 * Calls starting and ending as in a contact center, at the voice rate: `calls` in progress, each
 * taking a turn every 3 s; after each turn a call ends with probability 1 / MEAN_CALL_TURNS and a
 * caller never read before (from `newCallers`) takes its place, so its next turn is a cold first
 * turn among warm ones. First turns and the rest are reported apart.
 */
async function voiceMix(url: string, calls: string[], newCallers: string[], options: { seconds?: number; endsAfterTurn?: number } = {}): Promise<{ first: Load; later: Load }> {
  const ends = options.endsAfterTurn ?? 1 / MEAN_CALL_TURNS;
  const seconds = options.seconds ?? MIX_SECONDS;
  const slots = [...calls];
  const fresh = new Set<string>();
  let turn = 0;
  const pick = () => {
    const slot = turn++ % slots.length;
    const token = slots[slot];
    if (Math.random() < ends && fresh.size < newCallers.length) {
      slots[slot] = newCallers[fresh.size];
      fresh.add(slots[slot]);
    }
    return token;
  };
  const { outcomes, elapsed } = await drive(url, [], seconds, () => VOICE_RATE, TURN.persisted, { pick });
  // Outcomes are in the order their turns were due: a new caller's first is its first turn.
  const firsts = new Set<Outcome>();
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (fresh.has(o.token) && !seen.has(o.token)) {
      seen.add(o.token);
      firsts.add(o);
    }
  }
  return { first: summaryOf([...firsts], elapsed, VOICE_RATE), later: summaryOf(outcomes.filter((o) => !firsts.has(o)), elapsed, VOICE_RATE) };
}

/**
 * Every call's first turn, eight at a time: as fast as the cold path answers on this machine, and
 * never faster (a fixed rate above it left a backlog that slowed the next measurement). "Warm" means
 * the cache knows the callers. With slow backends a turn waits, not works: more may be in flight.
 */
async function prewarm(url: string, tokens: string[], inFlight = PREWARM_IN_FLIGHT): Promise<void> {
  const pool = new Pool(new URL(url).origin, { connections: inFlight });
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < tokens.length) await send(pool, tokens[next++], TURN.persisted);
  }));
  await pool.close();
}

/**
 * The highest rate (of a fixed ladder) served with p99 under the budget and no errors. Each step
 * stands for rate × 3 s calls in progress, each taking a turn every 3 s. Calls start as they would
 * in life, at the step's own rate: an unmeasured warm-up of two turns per call, then the measure.
 * A step that fails is measured once more before the ladder stops: on a shared machine one
 * window can be slowed by a neighbour (a first step at 25/s once measured 204 ms p99 where it
 * measures about 20); both tries are reported.
 */
async function maxSustained(url: string, tokens: string[], persisted: boolean, ladder: number[]): Promise<{ best: Load | null; steps: Load[] }> {
  const steps: Load[] = [];
  let best: Load | null = null;
  const holds = (step: Load, rate: number) => step.p99 <= P99_BUDGET_MS && step.errors === 0 && step.rps >= rate * 0.95;
  for (const rate of ladder) {
    const calls = tokens.slice(0, Math.min(tokens.length, rate * TURN_SECONDS));
    await load(url, calls, turnOf(persisted), { rate, seconds: 2 * TURN_SECONDS });
    const measure = () => load(url, calls, turnOf(persisted), { rate, seconds: QUICK ? SECONDS : Math.max(8, Math.round(SECONDS * 0.7)) });
    let step = await measure();
    log(`  ${rate}/s → p99 ${step.p99.toFixed(1)} ms, ${step.rps.toFixed(0)}/s served, ${step.errors} errors`);
    if (!holds(step, rate)) {
      steps.push(step);
      step = { ...(await measure()), retry: true };
      log(`  ${rate}/s again → p99 ${step.p99.toFixed(1)} ms, ${step.rps.toFixed(0)}/s served, ${step.errors} errors`);
    }
    steps.push(step);
    if (!holds(step, rate)) break;
    best = step;
  }
  return { best, steps };
}

/** Event → every replica answering the new value: two orders subgraphs sharing Redis, polled directly. */
async function invalidationLatency(database: Database, env: Record<string, string>, samples = 40): Promise<number[]> {
  const [a, b] = await freePorts(2);
  const replicas = [a, b].map((port) => start('subgraphs/orders/index.ts', { ...env, ORDERS_PORT: String(port), CACHE_TTL_SECONDS: 'default=300' }));
  await Promise.all(replicas.map((r, i) => untilListening(r, [a, b][i])));
  const urls = [a, b].map((port) => `http://127.0.0.1:${port}/graphql`);
  const status = async (url: string, id: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [VIEWER_HEADER]: service() }, body: JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { status } }', variables: { id } }) });
    return ((await res.json()) as any).data.order.status as string;
  };
  const timings: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const orderId = `ord_${String(1 + ((i * 104729) % CUSTOMERS)).padStart(6, '0')}_1`;
      const before = await status(urls[0], orderId);
      await status(urls[1], orderId);
      const after = before === 'CANCELLED' ? 'DELIVERED' : 'CANCELLED';
      await sql`update oms.orders set status = ${after} where id = ${orderId}`.execute(database.db);
      const event = JSON.stringify({ id: `bench-${i}`, type: 'order.updated', data: { orderId } });
      const started = performance.now();
      await fetch(urls[0].replace('/graphql', '/events'), { method: 'POST', headers: { 'x-signature': signEvent(DEMO_WEBHOOK_SECRET, event) }, body: event });
      await Promise.all(
        urls.map(async (url) => {
          while ((await status(url, orderId)) !== after) await new Promise((r) => setTimeout(r, 2));
        }),
      );
      timings.push(performance.now() - started);
      await sql`update oms.orders set status = ${before} where id = ${orderId}`.execute(database.db);
    }
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
  return timings.sort((x, y) => x - y);
}

/** Sequential single requests: latency of a cold turn when every backend call takes `latencyMs`. */
async function slowBackendTurn(stack: Stack, tokens: string[], persisted: boolean): Promise<number> {
  const times: number[] = [];
  for (const token of tokens) {
    const started = performance.now();
    await fetch(stack.url, { method: 'POST', headers: await headers(token), body: body(persisted) });
    times.push(performance.now() - started);
  }
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
}

function spikeRows(outcomes: Outcome[], windows: [number, number, string][]): string {
  return windows
    .map(([from, to, name]) => {
      const inWindow = outcomes.filter((o) => o.at >= from && o.at < to);
      const answered = inWindow.filter((o) => o.status === 200 && !o.partial);
      const refused = inWindow.filter((o) => o.overloaded);
      const other = inWindow.length - answered.length - refused.length;
      const p99 = (list: Outcome[]) => (list.length ? fmt(percentile(list.map((o) => o.latency).sort((a, b) => a - b), 99)) : '—');
      return `| ${name} | ${inWindow.length} | ${answered.length} | ${refused.length} | ${other} | ${p99(answered)} | ${p99(refused)} |`;
    })
    .join('\n');
}

/** Seconds after `from` until every later second has p99 under the budget and no refusal or error. */
function recoverySeconds(outcomes: Outcome[], from: number): string {
  const last = Math.ceil(outcomes.at(-1)?.at ?? from);
  let recoveredAt: number | null = null;
  for (let second = Math.floor(from); second < last; second++) {
    const bucket = outcomes.filter((o) => o.at >= second && o.at < second + 1);
    const bad = bucket.some((o) => o.status !== 200 || o.partial) || (bucket.length > 0 && percentile(bucket.map((o) => o.latency).sort((a, b) => a - b), 99) > P99_BUDGET_MS);
    if (bad) recoveredAt = null;
    else recoveredAt ??= second;
  }
  return recoveredAt === null ? `not within ${last - from} s` : `${recoveredAt - from} s (every second after it: p99 < ${P99_BUDGET_MS} ms, no error)`;
}

function downSummary(outcomes: Outcome[]): string {
  const latencies = outcomes.map((o) => o.latency).sort((a, b) => a - b);
  const share = (n: number) => `${((100 * n) / Math.max(1, outcomes.length)).toFixed(1)}%`;
  const stale = outcomes.filter((o) => o.stale).length;
  const partial = outcomes.filter((o) => o.partial).length;
  const refused = outcomes.filter((o) => o.overloaded).length;
  const failed = outcomes.filter((o) => o.status !== 200 && !o.overloaded).length;
  return `${outcomes.length} answers: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms; served with a stale copy of the logistics part ${share(stale)}; partial (logistics fields null, coded error) ${share(partial)}; refused (503, load shedding) ${share(refused)}; failed otherwise ${share(failed)}.`;
}

const ladderSteps = (steps: Load[]) => steps.map((s) => `${s.rate}${s.retry ? ' again' : ''}→${fmt(s.p99)}ms/${s.rps.toFixed(0)}/${s.errors}`).join(', ');
const errorSummary = (loads: [string, Load][]) =>
  loads
    .filter(([, l]) => l.errors)
    .map(([name, l]) => `${name}: ${Object.entries(l.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ')}`)
    .join('; ') || 'none';

/** A load's errors by code, or 0. */
const codes = (l: Load) => (l.errors ? Object.entries(l.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ') : '0');
const targetRows = (rows: [string, string, boolean][]) => rows.map(([target, measured, met]) => `| ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`).join('\n');

/** The share of its sustained rate a replica is planned at. */
const HEADROOM = 0.6;
/** Voice demand to plan for: 600 simultaneous calls, a tripled peak, ten times each. */
const DEMANDS: [string, number][] = [
  ['600 simultaneous calls', 600],
  ['a tripled peak (1,800 calls)', 1_800],
  ['10× the 600 calls (6,000 calls)', 6_000],
  ['10× the tripled peak (18,000 calls)', 18_000],
];

/** Replicas and cores for each demand, from the sustained rate of one replica and the CPU a warm turn took by process. */
function capacityRows(sustained: number, cpuPerTurn: Record<string, number>): string {
  const subgraphMs = Object.entries(cpuPerTurn).filter(([name]) => name !== 'gateway').reduce((sum, [, ms]) => sum + ms, 0);
  const cores = (turns: number, ms: number) => ((turns * ms) / 1000 / HEADROOM).toFixed(1);
  return DEMANDS.map(([name, simultaneous]) => {
    const turns = simultaneous / TURN_SECONDS;
    const replicas = Math.max(2, Math.ceil(turns / (sustained * HEADROOM)));
    return `| ${name} | ${turns.toLocaleString('en')} | ${replicas} | ${cores(turns, cpuPerTurn.gateway ?? 0)} | ${cores(turns, subgraphMs)} |`;
  }).join('\n');
}

async function main() {
  const started = Date.now();
  await ensureDatabase();
  const database = await createDatabase({ url: DATABASE_URL, poolMax: 4 });
  log(`seeding ${CUSTOMERS} customers…`);
  const seedTime = await seedIfNeeded(database);
  log(`seed: ${seedTime}`);
  await sql`delete from customers_records.verified_sessions where agent_id = 'bench'`.execute(database.db);
  // Each run replaces its sessions: without autovacuum their dead rows would pile up run after run under the lookups.
  await sql`vacuum analyze customers_records.verified_sessions`.execute(database.db);
  const ladder = LADDER;
  const warmTokens = await createSessions(database, Math.max(...ladder) * TURN_SECONDS, 0);
  const coldTokens = await createSessions(database, COLD_CALLS, 3);
  // Three times the new calls the voice mix expects, of other customers than both sets above
  // (checked: the offsets' spreads do not meet).
  const newCallers = await createSessions(database, Math.ceil((3 * VOICE_RATE * MIX_SECONDS) / MEAN_CALL_TURNS), 7);
  // The arrivals test's new callers: 1.2 times those it expects, apart from the sets above too.
  const arrivals = await createSessions(database, Math.ceil(1.2 * NEW_CALL_RATE * ARRIVALS_SECONDS), 13);
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();

  const base: Record<string, string> = {
    // Warnings only: at info every service writes an access line a request, and the bench, which reads
    // every child's output in the process that also generates the load and times it, slowed every row
    // (a run on 2026-11-30 at info: warm p99 269 ms, the floor's 169). The access log's own cost is
    // npm run bench:observability's to measure.
    DATABASE_URL, REDIS_URL, LOG_LEVEL: 'warn', NODE_ENV: 'development', DATABASE_POOL_MAX: '8', CACHE_NAMESPACE: `bench-${Date.now()}`,
    // The services' own TTLs unless the run says otherwise (to compare policies).
    ...(process.env.CACHE_TTL_SECONDS ? { CACHE_TTL_SECONDS: process.env.CACHE_TTL_SECONDS } : {}),
  };

  log('federated, cached: cold first turns at 200/s');
  let stack = await startFederated(base);
  const cold = await load(stack.url, coldTokens, TURN.persisted, { seconds: SECONDS, rate: VOICE_RATE });
  // Its own stack: work the deadlines cut short must not weigh on the warm runs.
  await stack.stop();
  log('federated, cached: warm at 200/s');
  stack = await startFederated({ ...base, CACHE_NAMESPACE: `bench-warm-${Date.now()}` });
  const calls = warmTokens.slice(0, WARM_CALLS);
  await prewarm(stack.url, calls);
  await load(stack.url, calls, TURN.persisted, { rate: VOICE_RATE, seconds: SETTLE_SECONDS });
  const cpuBefore = cpuOf(stack.processes);
  const warm200 = await load(stack.url, calls, TURN.persisted, { seconds: SECONDS, rate: VOICE_RATE });
  // Each service's CPU a warm turn at the voice rate: what a replica's resource requests rest on.
  const warmCpu = perTurn(cpuBefore, cpuOf(stack.processes), warm200.served);
  log(`federated, cached: the voice mix at 200/s (calls end after ${MEAN_CALL_TURNS} turns on average; new callers' first turns are cold)`);
  const mix = await voiceMix(stack.url, calls, newCallers);
  log(`federated, cached: new calls at ${NEW_CALL_RATE}/s among the 200 turns/s, every other turn warm`);
  const arrival = await voiceMix(stack.url, calls, arrivals, { seconds: ARRIVALS_SECONDS, endsAfterTurn: NEW_CALL_RATE / VOICE_RATE });
  log('federated, cached: highest sustained rate (p99 < 100 ms)');
  await prewarm(stack.url, warmTokens.slice(WARM_CALLS));
  const fedMax = await maxSustained(stack.url, warmTokens, true, ladder);
  log('invalidation: change event → both replicas answer the new value');
  const invalidation = await invalidationLatency(database, { ...base, ORDERS_ADAPTER: 'sql' }, INVALIDATION_SAMPLES);

  log('federated, cached, auth off (AUTH_DISABLED): warm at 200/s, then all it can serve');
  const throughputSeconds = QUICK ? SECONDS : Math.max(8, Math.round(SECONDS * 0.7));
  const throughput = (url: string) => load(url, calls, TURN.persisted, { connections: 32, seconds: throughputSeconds });
  const gatewayCpuBefore = treeCpuMs(stack.processes.gateway.process.pid!);
  const authOnMax = await throughput(stack.url);
  // A warm whole-answer hit with auth and the audit entry: the gateway's CPU a whole answer, 32 in flight.
  const hitCpuMs = (treeCpuMs(stack.processes.gateway.process.pid!) - gatewayCpuBefore) / Math.max(1, authOnMax.served);
  await stack.stop();
  stack = await startFederated({ ...base, AUTH_DISABLED: 'true', CACHE_NAMESPACE: `bench-noauth-${Date.now()}` });
  await prewarm(stack.url, calls);
  await load(stack.url, calls, TURN.persisted, { rate: VOICE_RATE, seconds: SETTLE_SECONDS });
  const noAuth200 = await load(stack.url, calls, TURN.persisted, { seconds: SECONDS, rate: VOICE_RATE });
  const noAuthMax = await throughput(stack.url);
  log('peers: the same subgraphs, FirstLook through customer(id), caller auth off everywhere');
  const peers = await comparePeers({
    graph: { url: stack.url, gateway: stack.processes.gateway, subgraphUrls: stack.subgraphUrls },
    callers: calls.map((token) => ({ token, customerId: customerOf.get(token)! })),
    seconds: throughputSeconds,
    rate: VOICE_RATE,
    sample: QUICK ? 10 : 50,
    log,
  });
  await stack.stop();

  const sustained = fedMax.best?.rate ?? ladder[0];
  log(`spike: ${sustained}/s → ${3 * sustained}/s within ${SPIKE.ramp} s, held ${SPIKE.peak} s, back to ${sustained}/s for ${SPIKE.after} s`);
  stack = await startFederated({ ...base, CACHE_NAMESPACE: `bench-spike-${Date.now()}` });
  // The calls of the sustained rate, known to the cache, take their turns three times as often at
  // the peak: three times the traffic on a warm cache. (Three times the calls would add that many
  // cold first turns, which the cold row measures.) Each call's first turn, then turns at the rate.
  const spikeCalls = warmTokens.slice(0, sustained * TURN_SECONDS);
  await prewarm(stack.url, spikeCalls);
  await load(stack.url, spikeCalls, TURN.persisted, { rate: sustained, seconds: SETTLE_SECONDS });
  const peakFrom = SPIKE.before + SPIKE.ramp;
  const afterFrom = peakFrom + SPIKE.peak;
  const spikeRate = (t: number) => (t < SPIKE.before ? sustained : t < peakFrom ? sustained * (1 + (2 * (t - SPIKE.before)) / SPIKE.ramp) : t < afterFrom ? 3 * sustained : sustained);
  const { outcomes: spike } = await drive(stack.url, spikeCalls, afterFrom + SPIKE.after, spikeRate, TURN.persisted);
  await stack.stop();

  log('one subgraph down (logistics), 200/s, warm callers, logistics reads cached 5 s');
  // Logistics' copies expire within the run, so each answer must do without logistics; the other
  // systems keep their TTLs (all at 5 s, the reloads alone outran the cold path and hid the outage).
  const logisticsTtls = ['OrderShipments', 'Shipment', 'ShipmentByTracking', 'TrackingEvents'].map((type) => `${type}=5`).join(',');
  stack = await startFederated({ ...base, CACHE_TTL_SECONDS: `${process.env.CACHE_TTL_SECONDS ?? DEFAULT_CACHE_TTLS},${logisticsTtls}`, CACHE_NAMESPACE: `bench-down-${Date.now()}` });
  await prewarm(stack.url, calls);
  await load(stack.url, calls, TURN.persisted, { rate: VOICE_RATE, seconds: 2 * TURN_SECONDS });
  await stack.processes.logistics.stop();
  const { outcomes: down } = await drive(stack.url, calls, OUTAGE_SECONDS, () => VOICE_RATE, TURN.persisted);
  await stack.stop();

  log('federated, caching off: 200/s');
  stack = await startFederated({ ...base, CACHE_ENABLED: 'false' });
  const uncached = await load(stack.url, calls, TURN.persisted, { seconds: SECONDS, rate: VOICE_RATE });
  await stack.stop();

  log('floor (one non-federated server, same resolvers and adapters, cached)');
  let floor = await startMonolith({ ...base, CACHE_NAMESPACE: `bench-floor-${Date.now()}` });
  await load(floor.url, calls, TURN.text, { rate: VOICE_RATE, seconds: SETTLE_SECONDS });
  const floor200 = await load(floor.url, calls, TURN.text, { seconds: SECONDS, rate: VOICE_RATE });
  const floorMax = await maxSustained(floor.url, warmTokens, false, ladder);
  await floor.stop();

  const slowRange = `${SLOW_MS.min}-${SLOW_MS.max}`;
  const meanDelay = (SLOW_MS.min + SLOW_MS.max) / 2;
  log(`slow backends: every system-of-record call ${slowRange} ms, caching off, one request at a time`);
  stack = await startFederated({ ...base, CACHE_ENABLED: 'false', BACKEND_LATENCY_MS: slowRange });
  let calls0 = await backendCalls(stack.subgraphUrls);
  const slowUncached = await slowBackendTurn(stack, coldTokens.slice(0, SEQUENTIAL_TURNS), true);
  const uncachedCalls = scaled(callsBetween(calls0, await backendCalls(stack.subgraphUrls)), SEQUENTIAL_TURNS);
  await stack.stop();

  log(`slow backends, cached: cold turns one at a time, then the warm turns and the voice mix at 200/s`);
  stack = await startFederated({ ...base, BACKEND_LATENCY_MS: slowRange, CACHE_NAMESPACE: `bench-slow-${Date.now()}` });
  calls0 = await backendCalls(stack.subgraphUrls);
  const slowColdTurn = await slowBackendTurn(stack, coldTokens.slice(SEQUENTIAL_TURNS, 2 * SEQUENTIAL_TURNS), true);
  const coldCachedCalls = scaled(callsBetween(calls0, await backendCalls(stack.subgraphUrls)), SEQUENTIAL_TURNS);
  // A slow cold turn waits more than it works: 32 in flight fill the caches in a fraction of the time.
  await prewarm(stack.url, calls, 32);
  await load(stack.url, calls, TURN.persisted, { rate: VOICE_RATE, seconds: SETTLE_SECONDS });
  calls0 = await backendCalls(stack.subgraphUrls);
  const slowWarm = await load(stack.url, calls, TURN.persisted, { seconds: SECONDS, rate: VOICE_RATE });
  // Calls a minute of one call in progress: the window's calls over its call-minutes.
  const warmMinuteCalls = scaled(callsBetween(calls0, await backendCalls(stack.subgraphUrls)), (WARM_CALLS * SECONDS) / 60);
  const slowMix = await voiceMix(stack.url, calls, newCallers);
  await stack.stop();

  log('slow backends: every backend call +80 ms, caching off, one request at a time (federated, then the floor)');
  const slowEnv = { ...base, CACHE_ENABLED: 'false', BACKEND_LATENCY_MS: '80' };
  stack = await startFederated(slowEnv);
  const slowFederated = await slowBackendTurn(stack, coldTokens.slice(0, SEQUENTIAL_TURNS), true);
  await stack.stop();
  floor = await startMonolith(slowEnv);
  const slowFloor = await slowBackendTurn(floor, coldTokens.slice(SEQUENTIAL_TURNS, 2 * SEQUENTIAL_TURNS), false);
  await floor.stop();

  log('AI agents: the per-turn context as an MCP tool call beside the same GraphQL call, warm, at 200/s');
  stack = await startFederated(base);
  const mcp = await benchMcp({ graphqlUrl: stack.url, callers: await mcpCallers(database, MCP_CALLERS, 17), rate: VOICE_RATE, durationMs: SECONDS * 1000 });
  await stack.stop();
  await database.close();

  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  const floorBest = floorMax.best;
  const fedBest = fedMax.best;
  const bestPeer = peers.peers.filter((p) => p.closed && !/plain/.test(p.name)).sort((a, b) => b.closed!.rps - a.closed!.rps)[0];
  const plainCpu = peers.peers.find((p) => /plain/.test(p.name))?.cpuMsPerRequest;
  const row = (name: string, l: Load, vs: Load | null) =>
    `| ${name} | ${l.rate ?? 'max'} | ${fmt(l.p50)} | ${fmt(l.p99)} | ${fmt(l.max)} | ${l.rps.toFixed(0)} | ${l.errors} | ${vs ? ratio(l.p99, vs.p99) : '—'} |`;
  const report = `# Benchmarks

\`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, commit \`${commit}\`; ${cpus().length} × ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB;
PostgreSQL, Redis, the load generator and every service on the same machine. ${CUSTOMERS.toLocaleString('en')} customers (seed: ${seedTime}).
Cache TTLs: ${process.env.CACHE_TTL_SECONDS ?? 'the defaults (CACHE_TTL_SECONDS in subgraphs/shared/config.ts)'}.
The operation is \`CustomerContext\` (schema/operations), the AI agents' per-turn context, for ${WARM_CALLS} calls in progress (warm:
each caller's turn comes back every ${TURN_SECONDS} s at 200/s, measured after ${SETTLE_SECONDS} s of unmeasured turns at that rate) or for
${COLD_CALLS.toLocaleString('en')} callers never read before (cold: first turns, on a stack of their own); sent by persisted id to the gateway, as text to the floor.
Warm runs first take every caller's first turn, ${PREWARM_IN_FLIGHT} at a time (as fast as the cold path answers), so the caches know them.
Ratios compare with the floor measured in this same run: absolute figures on a shared machine drift, ratios hold.

## Latency at the voice rate (200 requests/s: 600 calls, a turn every 3 s each)

| setup | rate /s | p50 ms | p99 ms | max ms | served /s | errors | p99 vs floor |
|---|---|---|---|---|---|---|---|
${row('federated, cached, warm', warm200, floor200)}
${row('federated, cached, cold (first turn of each call)', cold, floor200)}
${row(`federated, cached, voice mix: new calls' first turns (${mix.first.count})`, mix.first, floor200)}
${row('federated, cached, voice mix: the other turns', mix.later, floor200)}
${row(`federated, cached, new calls at ${NEW_CALL_RATE}/s: their first turns (${arrival.first.count})`, arrival.first, floor200)}
${row(`federated, cached, new calls at ${NEW_CALL_RATE}/s: the other turns`, arrival.later, floor200)}
${row('federated, caching off (baseline)', uncached, floor200)}
${row('floor: one non-federated server, cached', floor200, floor200)}

The voice mix (${MIX_SECONDS} s on the warm stack): ${WARM_CALLS} calls in progress, each ending after a turn with probability 1/${MEAN_CALL_TURNS}
(a call of ${MEAN_CALL_TURNS} turns, ${(MEAN_CALL_TURNS * TURN_SECONDS) / 60} min, on average), when a caller never read before takes its place: the new calls' first turns are cold, among warm turns.
Its rate is the whole mix's; "served /s" is each row's share of it (on the first-turn row: new calls a second), whole answers only (a 503 refusal or a
partial answer is not served). The arrivals rows (${ARRIVALS_SECONDS} s, the same stack): a call ends after a turn with probability ${NEW_CALL_RATE}/${VOICE_RATE}, so new callers arrive at ${NEW_CALL_RATE}/s
(ten times HSE's rate: 600 simultaneous calls of 3 min bring about 3.3 a second) while every other turn is warm.

Errors by code: ${errorSummary([['warm', warm200], ['cold', cold], ['voice mix, first turns', mix.first], ['voice mix, other turns', mix.later], [`new calls at ${NEW_CALL_RATE}/s, first turns`, arrival.first], [`new calls at ${NEW_CALL_RATE}/s, other turns`, arrival.later], ['caching off', uncached], ['floor', floor200]])}.

CPU a warm turn at 200/s, by process (user + system, the process and its children): ${Object.entries(warmCpu).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`).join(', ')}.

## Highest sustained rate with p99 under ${P99_BUDGET_MS} ms (warm)

| setup | highest rate /s | p99 ms there | vs floor |
|---|---|---|---|
| federated (gateway + 4 subgraphs) | ${fedBest?.rate ?? `< ${ladder[0]}`} | ${fedBest ? fmt(fedBest.p99) : '—'} | ${fedBest && floorBest ? ratio(fedBest.rate!, floorBest.rate!) : 'n/a'} |
| floor | ${floorBest?.rate ?? `< ${ladder[0]}`} | ${floorBest ? fmt(floorBest.p99) : '—'} | 1.00× |

Ladder steps (rate → p99, served/s, errors; "again": the second try of a step whose first failed): federated ${ladderSteps(fedMax.steps)}; floor ${ladderSteps(floorMax.steps)}.

## The cost of authentication, authorization and audit (federated, cached, warm)

With auth: the gateway verifies the agent's JWT and its verified session (both remembered until they
expire), checks the rate limit and operation limits, and signs the caller for the subgraphs; each
subgraph checks the signature and the caller's scope; the CRM reports each profile read and the gateway
writes it to the audit log (group-committed through the CRM) before the answer leaves, cached or not. \`AUTH_DISABLED=true\` skips all
of that (the benchmark's switch; refused in production).

| setup | p50 ms at 200/s | p99 ms at 200/s | served /s, 32 in flight | errors, 32 in flight |
|---|---|---|---|---|
| with auth | ${fmt(warm200.p50)} | ${fmt(warm200.p99)} | ${authOnMax.rps.toFixed(0)} | ${codes(authOnMax)} |
| without auth | ${fmt(noAuth200.p50)} | ${fmt(noAuth200.p99)} | ${noAuthMax.rps.toFixed(0)} | ${codes(noAuthMax)} |
| with / without | ${ratio(warm200.p50, noAuth200.p50)} | ${ratio(warm200.p99, noAuth200.p99)} | ${ratio(authOnMax.rps, noAuthMax.rps)} | |

"Served" counts whole answers only (status 200, no error): a 503 refusal (load shedding) or a 429 is answered, not served.
With auth, the gateway spent ${hitCpuMs.toFixed(2)} ms of CPU a whole answer, 32 in flight (every one a warm whole-answer hit, the audit entry included).

## Beside its peers: the same subgraphs, the same operation, the same callers

The four subgraph processes of the auth-off stack above (caches on), called by each gateway in turn; ${WARM_CALLS} warm callers ask
\`FirstLook\` (schema/operations) through \`customer(id)\`, sent as text to every gateway, with caller auth off everywhere (the graph with
\`AUTH_DISABLED\`; the peers send the subgraphs the same unrestricted caller, signed once: see scripts/bench/peer-server.ts). Each gateway is its
own process; its CPU is its process tree's (/proc) over the closed loop, a whole answer. Before timing, ${QUICK ? 10 : 50} callers' answers are
compared with the graph's (\`data\` equal, no errors); a peer answering differently is reported, not timed. Every gateway first answers each
caller once (caches, where a peer has them, know every caller). Closed loop: ${throughputSeconds} s, 32 requests in flight; fixed rate: ${VOICE_RATE}/s for ${throughputSeconds} s,
latency counted from when each request was due (a gateway that cannot keep up shows its queue).

| gateway | closed loop, 32 in flight: whole answers /s | gateway CPU ms a whole answer | fixed ${VOICE_RATE}/s: p50 / p99 |
|---|---|---|---|
${peerRows([peers.graph, ...peers.peers])}

Not in the table: Apollo Router (Rust), WunderGraph Cosmo Router (Go) and Grafbase Gateway (Rust) ship as binaries or containers, not
npm packages, and this machine installs from npm only. Published figures for orientation (graphql-hive's gateways benchmark, one heavy query,
50 virtual users; another machine and query, so not comparable with the rows above): Hive Router 1,709 req/s, Grafbase 1,625, Cosmo 628,
Apollo Router 353, Hive Gateway 291, Apollo Gateway 91.

## A spike: ${sustained}/s (the highest sustained rate above) to ${3 * sustained}/s within ${SPIKE.ramp} s, held ${SPIKE.peak} s, then back

The ${spikeCalls.length} calls of the sustained rate, known to the cache, take a turn every ${TURN_SECONDS} s, at the peak every ${fmt(TURN_SECONDS / 3)} s:
three times the traffic on a warm cache (three times the calls would add as many cold first turns, which the cold row above measures).
The gateway's defaults (MAX_IN_FLIGHT=64, MAX_EVENT_LOOP_DELAY_MS=100): past either, requests are refused at once (503 OVERLOADED, Retry-After) instead of queueing.

| window | requests | answered whole | refused (503) | other errors | p99 answered ms | p99 refused ms |
|---|---|---|---|---|---|---|
${spikeRows(spike, [[0, SPIKE.before, 'before (sustained rate)'], [SPIKE.before, afterFrom, 'ramp and peak (up to 3×)'], [afterFrom, afterFrom + SPIKE.after, 'after (back to the sustained rate)']])}

Time to recover after the peak: ${recoverySeconds(spike, afterFrom)}.

## One subgraph down (logistics stopped), 200/s, warm callers, logistics' reads cached 5 s, for ${OUTAGE_SECONDS} s

${downSummary(down)}

## Freshness: a change event until every replica answers the new value

Two replicas of the orders subgraph sharing Redis (each with its in-process tier); the event is posted to one; both are polled.
${invalidation.length} events: p50 ${fmt(percentile(invalidation, 50))} ms, p99 ${fmt(percentile(invalidation, 99))} ms, max ${fmt(invalidation.at(-1)!)} ms.

## Slow backends: every system-of-record call ${slowRange} ms

Each call an adapter makes to its system of record waits a delay drawn per call from ${slowRange} ms (BACKEND_LATENCY_MS=${slowRange}, mean
${meanDelay} ms), as a SaaS API's latency varies; the graph's own records share the delay. Rates: the voice rate, ${WARM_CALLS} calls in progress.

| setup | turns | p50 ms | p99 ms | errors |
|---|---|---|---|---|
| cached: a new call's first turn, one at a time (median of ${SEQUENTIAL_TURNS}) | ${SEQUENTIAL_TURNS} | ${fmt(slowColdTurn)} | — | — |
| cached: warm turns at ${VOICE_RATE}/s | ${slowWarm.count} | ${fmt(slowWarm.p50)} | ${fmt(slowWarm.p99)} | ${codes(slowWarm)} |
| cached, voice mix: new calls' first turns | ${slowMix.first.count} | ${fmt(slowMix.first.p50)} | ${fmt(slowMix.first.p99)} | ${codes(slowMix.first)} |
| cached, voice mix: the other turns | ${slowMix.later.count} | ${fmt(slowMix.later.p50)} | ${fmt(slowMix.later.p99)} | ${codes(slowMix.later)} |

### A cold turn in backend delays (caching off, one request at a time, median of ${SEQUENTIAL_TURNS})

| setup | turn ms | in backend delays |
|---|---|---|
| federated, ${slowRange} ms | ${fmt(slowUncached)} | ${(slowUncached / meanDelay).toFixed(1)} (turn / ${meanDelay} ms mean) |
| federated, 80 ms fixed | ${fmt(slowFederated)} | ${(slowFederated / 80).toFixed(1)} (turn / 80 ms) |
| floor, 80 ms fixed | ${fmt(slowFloor)} | ${(slowFloor / 80).toFixed(1)} (turn / 80 ms) |

A turn makes a few dozen backend calls; they run in parallel wherever one does not need another's answer, so a turn costs about one
delay per dependent step. Two steps are left (gateway/read-ahead.ts): the customer, with the orders and balances keyed by the verified
customer sent beside it, then each order's parcels and payments; the brief's round answers from what the turn already read, and the
audit entry is written during the second step. The first turn after a start takes four steps (the gateway learns the plan from it);
the median is of turns after it. With drawn delays each step waits for the slowest of its parallel calls, so a step costs more than the mean.
The floor (one server, the same resolvers) checks no caller and writes no audit entry.

### Backend calls against each vendor's rate limit

Calls that reached each system of record (its adapter's port; not the graph's own records), counted by the subgraphs: per cold turn with
the caches (a new call's first turn, one at a time), per minute of a call in progress (${TURN_SECONDS} s turns; background refreshes included),
and per turn with caching off. Simultaneous calls a vendor's limit allows: with caches a call of ${(MEAN_CALL_TURNS * TURN_SECONDS) / 60} min costs its cold first
turn over its length plus its warm minutes; without caches every turn costs a cold turn's calls. The limits are assumptions (the adapters' defaults,
on the vendors' published figures); a real account's may be higher or lower.

| system | calls / cold turn, cached | calls / warm call-minute, cached | calls / turn, caching off | assumed limit | simultaneous calls, cached | simultaneous calls, caching off |
|---|---|---|---|---|---|---|
${vendorRows({ coldCached: coldCachedCalls, warmMinute: warmMinuteCalls, uncached: uncachedCalls, callSeconds: MEAN_CALL_TURNS * TURN_SECONDS, turnSeconds: TURN_SECONDS })}

## Targets (issue #21)

| target | measured | met? |
|---|---|---|
${targetRows([
  ['warm per-turn p99 at 200/s no worse than the floor\'s', `${fmt(warm200.p99)} ms against ${fmt(floor200.p99)} ms (${ratio(warm200.p99, floor200.p99)})`, warm200.p99 <= floor200.p99],
  ['highest sustained warm rate ≥ 2× the floor\'s', fedBest && floorBest ? `${fedBest.rate}/s against ${floorBest.rate}/s (${ratio(fedBest.rate!, floorBest.rate!)})` : 'not measured', !!fedBest && !!floorBest && fedBest.rate! >= 2 * floorBest.rate!],
  ['… and ≥ 2× the best peer\'s (closed loop, 32 in flight, whole answers)', bestPeer ? `${peers.graph.closed?.rps.toFixed(0) ?? '—'}/s against ${bestPeer.closed!.rps.toFixed(0)}/s, ${bestPeer.name} (${ratio(peers.graph.closed?.rps ?? 0, bestPeer.closed!.rps)})` : 'no peer timed', !!bestPeer && (peers.graph.closed?.rps ?? 0) >= 2 * bestPeer.closed!.rps],
  ['a warm whole-answer hit ≤ 4× the plain-HTTP limit\'s CPU, auth and audit on', plainCpu ? `${hitCpuMs.toFixed(2)} ms against ${plainCpu.toFixed(3)} ms (${ratio(hitCpuMs, plainCpu)})` : 'the limit was not timed', !!plainCpu && hitCpuMs <= 4 * plainCpu],
  ['cold per-turn context ≤ 2.5 backend delays (80 ms fixed, caching off)', `${(slowFederated / 80).toFixed(1)} delays; ${(slowUncached / meanDelay).toFixed(1)} with ${slowRange} ms`, slowFederated / 80 <= 2.5],
  ['voice-mix first turns p99 ≤ 150 ms with 0 errors (local backends)', `${fmt(mix.first.p99)} ms, ${mix.first.errors + mix.later.errors} errors`, mix.first.p99 <= 150 && mix.first.errors + mix.later.errors === 0],
  [`new calls at ${NEW_CALL_RATE}/s, every other turn warm: first-turn p99 ≤ 150 ms, 0 errors`, `${fmt(arrival.first.p99)} ms, ${arrival.first.errors + arrival.later.errors} errors`, arrival.first.p99 <= 150 && arrival.first.errors + arrival.later.errors === 0],
])}

The hit's CPU is measured on \`CustomerContext\` with auth on; the limit's on \`FirstLook\`'s bytes with auth off (the peers' table): both are one
small JSON answer from memory, so the ratio is the cost of the gateway's work a hit.

## Capacity

A replica here is one gateway and one of each subgraph, sharing this machine's ${cpus().length} cores with PostgreSQL, Redis and the load generator:
${fedBest ? `it sustained ${sustained}/s warm turns (p99 under ${P99_BUDGET_MS} ms, the ladder above)` : `it did not sustain the ladder's lowest step, ${sustained}/s, in this run: the counts below take that step as its rate and are too low`}. Headroom rule: plan each replica at ${HEADROOM * 100}% of its sustained
rate (a burst, a slower neighbour or a replica lost leaves the rest under the p99 budget; the autoscaler acts before the budget breaks), and never
fewer than 2 (one may be drained or lost). A voice call takes a turn every ${TURN_SECONDS} s. PostgreSQL and Redis are shared and not in these counts.

| demand | turns /s | replicas | gateway cores | subgraph cores (all four) |
|---|---|---|---|---|
${capacityRows(sustained, warmCpu)}

Cores are the CPU a warm turn took at 200/s (by process, above) times the rate, at ${HEADROOM * 100}% utilisation: the basis for resource requests. New calls'
cold first turns cost more than warm turns; at one in ${MEAN_CALL_TURNS} turns they are inside the headroom.

## AI agents: the per-turn context as an MCP tool call (warm, ${mcp.rate}/s, ${mcp.durationMs / 1000} s each)

${MCP_CALLERS} verified calls, each verified through the tools (identify_by_email, verify_caller) in its MCP session,
then \`customer_context\` at /mcp (the verified session held by the MCP session) against \`CustomerContext\` by
persisted id at /graphql (the agent forwards X-Verified-Session itself); the same callers, one after the other.

| path | p50 ms | p99 ms | answered | errors |
|---|---|---|---|---|
| GraphQL | ${fmt(mcp.graphql.p50)} | ${fmt(mcp.graphql.p99)} | ${mcp.graphql.count} | ${mcp.graphql.errors} |
| MCP tool call | ${fmt(mcp.mcp.p50)} | ${fmt(mcp.mcp.p99)} | ${mcp.mcp.count} | ${mcp.mcp.errors} |
| MCP / GraphQL | ${mcp.overhead.p50.toFixed(2)}× | ${mcp.overhead.p99.toFixed(2)}× | | |

A tool call is a second HTTP hop: the MCP server runs the named operation against the gateway's own /graphql
with the caller's token, so every check of the GraphQL path holds for it.

Run took ${((Date.now() - started) / 1000).toFixed(0)} s.
`;
  // A quick run checks the bench works; its figures mean nothing and never replace BENCHMARKS.md.
  const out = QUICK ? join(tmpdir(), 'BENCHMARKS.quick.md') : join(__dirname, '..', 'BENCHMARKS.md');
  writeFileSync(out, report);
  log(`report written to ${out}`);
  process.stdout.write(`\n${report}`);
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
