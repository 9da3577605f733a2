import { execSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
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
import { seedDemo } from '../test/fixtures/seed';
import { freePorts, runEntry, type Child } from '../test/helpers/process';

/**
 * `npm run bench`: the per-turn context operation under voice-agent load, federated as deployed
 * (gateway and four subgraphs as five processes, real PostgreSQL and Redis) against a floor (the
 * same resolvers and adapters in one non-federated server), every figure measured in this run.
 * Writes BENCHMARKS.md. Settings: BENCH_CUSTOMERS (100000), BENCH_SECONDS (15 per load step),
 * BENCH_DATABASE_URL, BENCH_REDIS_URL, and CACHE_TTL_SECONDS for the services.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_customer_context';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const VOICE_RATE = 200; // 600 simultaneous calls, one turn every 3 s each
const P99_BUDGET_MS = 100;
const TURN_SECONDS = 3; // a voice call takes a turn every 3 s
const WARM_CALLS = VOICE_RATE * TURN_SECONDS; // 600 simultaneous calls at 200/s
const COLD_CALLS = 8_000;
/** The voice mix: a call lasts 60 turns on average (3 min), so about 1 turn in 60 is a new call's cold first turn. */
const MEAN_CALL_TURNS = 60;
const MIX_SECONDS = 60;
const PREWARM_IN_FLIGHT = 8;
/**
 * Unmeasured turns at the measured rate before a warm measurement: one default cache lifetime, so
 * the refreshes of the prewarm's first turns (taken all within seconds, so due all at once) are
 * behind, and what is measured is calls in progress, not 600 calls starting together.
 */
const SETTLE_SECONDS = 30;

/** The benchmark polls subgraphs directly, as the graph itself. */
/** The bench reads subgraphs directly as the unrestricted service (never accepted with NODE_ENV=production). */
const service = () => signViewer({ kind: 'service', id: UNRESTRICTED_SERVICE }, DEMO_GATEWAY_SECRET, { audience: 'orders', requestId: 'bench' });
const log = (message: string) => process.stdout.write(`[bench] ${message}\n`);
const DAY = 86_400_000;

interface Load {
  rate: number | null;
  p50: number;
  p99: number;
  max: number;
  /** Requests measured. */
  count: number;
  rps: number;
  errors: number;
  /** What the errors were: the first error code of each failed answer ("no answer" when none came). */
  errorCodes: Record<string, number>;
  /** A ladder step measured a second time after its first try failed. */
  retry?: boolean;
}

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

interface Stack {
  url: string;
  stop(): Promise<void>;
}

async function startFederated(env: Record<string, string>): Promise<Stack & { processes: Record<string, Child> }> {
  const [gateway, orders, customers, payments, logistics] = await freePorts(5);
  const all = {
    ...env,
    GATEWAY_PORT: String(gateway), ORDERS_PORT: String(orders), CUSTOMERS_PORT: String(customers), PAYMENTS_PORT: String(payments), LOGISTICS_PORT: String(logistics),
  };
  const children: Child[] = ['orders', 'customers', 'payments', 'logistics'].map((name) => runEntry(`subgraphs/${name}/index.ts`, all));
  await Promise.all(children.map((c) => c.waitFor(/subgraph ready/)));
  const gw = runEntry('gateway/index.ts', all);
  children.push(gw);
  await gw.waitFor(/gateway ready/);
  const processes = Object.fromEntries(['orders', 'customers', 'payments', 'logistics', 'gateway'].map((name, i) => [name, children[i]]));
  return { url: `http://127.0.0.1:${gateway}/graphql`, processes, stop: async () => void (await Promise.all(children.map((c) => c.stop()))) };
}

async function startMonolith(env: Record<string, string>): Promise<Stack> {
  const [port] = await freePorts(1);
  const child = runEntry('scripts/monolith-server.ts', { ...env, GATEWAY_PORT: String(port) });
  await child.waitFor(/monolith ready/);
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

/** One per-turn request as a call sends it: its status and body (status 0 when no answer came). */
async function sendTurn(pool: Pool, token: string, persisted: boolean): Promise<{ status: number; text: string }> {
  try {
    const response = await pool.request({ path: '/graphql', method: 'POST', headers: await headers(token), body: body(persisted) });
    return { status: response.statusCode, text: await response.body.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

interface Outcome {
  /** Seconds since the drive started, when the request was due. */
  at: number;
  /** The call's session: which call took the turn. */
  token: string;
  latency: number;
  status: number;
  /** The answer had errors (a part missing), was served partly stale, was refused as overload. */
  partial: boolean;
  stale: boolean;
  overloaded: boolean;
  /** A failed or partial answer's first error code, else undefined. */
  code?: string;
}

/** A failed or partial answer's first error code ("no answer" when none came, the status when it named none). */
function errorCode(status: number, text: string): string | undefined {
  if (status === 200 && !text.includes('"errors"')) return undefined;
  if (status === 0) return 'no answer';
  return /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${status}`;
}

/**
 * Open-loop arrivals at a rate that may change over time (`rateAt(seconds)`): requests leave on a
 * steady schedule (not in bursts, and not waiting for answers), and each latency counts from when
 * its request was due, so a backlog shows as latency (no coordinated omission). Every outcome kept.
 */
async function drive(
  url: string,
  tokens: string[],
  seconds: number,
  rateAt: (t: number) => number,
  options: { persisted?: boolean; connections?: number; pick?: () => string } = {},
): Promise<{ outcomes: Outcome[]; elapsed: number }> {
  const pool = new Pool(new URL(url).origin, { connections: options.connections ?? 512, keepAliveTimeout: 30_000 });
  const outcomes: Outcome[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  let next = 0;
  let due = started;
  const send = async (dueAt: number) => {
    const token = options.pick?.() ?? tokens[next++ % tokens.length];
    const { status, text } = await sendTurn(pool, token, options.persisted ?? true);
    outcomes.push({
      at: (dueAt - started) / 1000,
      token,
      latency: performance.now() - dueAt,
      status,
      partial: status === 200 && text.includes('"errors"'),
      stale: text.includes('"stale"'),
      overloaded: status === 503,
      code: errorCode(status, text),
    });
  };
  while (due < end) {
    const now = performance.now();
    while (due <= now && due < end) {
      inFlight.push(send(due));
      due += 1000 / Math.max(1, rateAt((due - started) / 1000));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, due - performance.now()))));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return { outcomes: outcomes.sort((a, b) => a.at - b.at), elapsed };
}

/**
 * A load at a fixed arrival rate (open loop, see drive), or without a rate `connections` requests
 * kept in flight back to back: the most the server can do. An answer with errors counts as an error.
 */
async function load(url: string, tokens: string[], options: { rate?: number; seconds?: number; connections?: number; persisted: boolean }): Promise<Load> {
  const seconds = options.seconds ?? SECONDS;
  if (options.rate) {
    const rate = options.rate;
    const driven = await drive(url, tokens, seconds, () => rate, { persisted: options.persisted, connections: options.connections ?? 256 });
    return summaryOf(driven.outcomes, driven.elapsed, rate);
  }
  const pool = new Pool(new URL(url).origin, { connections: options.connections ?? 256, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  const codes: (string | undefined)[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (performance.now() < started + seconds * 1000) {
      const sent = performance.now();
      const { status, text } = await sendTurn(pool, tokens[next++ % tokens.length], options.persisted);
      codes.push(errorCode(status, text));
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections ?? 64 }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return summary(latencies, codes, elapsed, null);
}

/** Percentiles of the latencies, requests a second over `elapsed`, and the error codes counted (undefined: no error). */
function summary(latencies: number[], codes: (string | undefined)[], elapsed: number, rate: number | null): Load {
  const errorCodes: Record<string, number> = {};
  for (const code of codes) if (code) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  latencies.sort((a, b) => a - b);
  return {
    rate,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    count: latencies.length,
    rps: latencies.length / elapsed,
    errors: Object.values(errorCodes).reduce((sum, n) => sum + n, 0),
    errorCodes,
  };
}

/** Latency and errors of a drive's outcomes, or of some of them (`rps` over the whole drive). */
const summaryOf = (outcomes: Outcome[], elapsed: number, rate: number) =>
  summary(
    outcomes.map((o) => o.latency),
    outcomes.map((o) => o.code),
    elapsed,
    rate,
  );

/**
 * Calls starting and ending as in a contact center, at the voice rate: `calls` in progress, each
 * taking a turn every 3 s; after each turn a call ends with probability 1 / MEAN_CALL_TURNS and a
 * caller never read before (from `newCallers`) takes its place, so its next turn is a cold first
 * turn among warm ones. First turns and the rest are reported apart.
 */
async function voiceMix(url: string, calls: string[], newCallers: string[]): Promise<{ first: Load; later: Load }> {
  const slots = [...calls];
  const fresh = new Set<string>();
  let turn = 0;
  const pick = () => {
    const slot = turn++ % slots.length;
    const token = slots[slot];
    if (Math.random() < 1 / MEAN_CALL_TURNS && fresh.size < newCallers.length) {
      slots[slot] = newCallers[fresh.size];
      fresh.add(slots[slot]);
    }
    return token;
  };
  const { outcomes, elapsed } = await drive(url, [], MIX_SECONDS, () => VOICE_RATE, { pick });
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
 * the cache knows the callers.
 */
async function prewarm(url: string, tokens: string[]): Promise<void> {
  const pool = new Pool(new URL(url).origin, { connections: PREWARM_IN_FLIGHT });
  let next = 0;
  await Promise.all(Array.from({ length: PREWARM_IN_FLIGHT }, async () => {
    while (next < tokens.length) await sendTurn(pool, tokens[next++], true);
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
    await load(url, calls, { rate, seconds: 2 * TURN_SECONDS, persisted });
    const measure = () => load(url, calls, { rate, seconds: Math.max(8, Math.round(SECONDS * 0.7)), persisted });
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
  const replicas = [a, b].map((port) => runEntry('subgraphs/orders/index.ts', { ...env, ORDERS_PORT: String(port), CACHE_TTL_SECONDS: 'default=300' }));
  await Promise.all(replicas.map((r) => r.waitFor(/subgraph ready/)));
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
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}×` : 'n/a');

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
  const ladder = [25, 50, 75, 100, 125, 150, 175, 200, 250, 300, 400, 500];
  const warmTokens = await createSessions(database, Math.max(...ladder) * TURN_SECONDS, 0);
  const coldTokens = await createSessions(database, COLD_CALLS, 3);
  // Three times the new calls the voice mix expects, of other customers than both sets above
  // (checked: the offsets' spreads do not meet).
  const newCallers = await createSessions(database, Math.ceil((3 * VOICE_RATE * MIX_SECONDS) / MEAN_CALL_TURNS), 7);
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();

  const base: Record<string, string> = {
    DATABASE_URL, REDIS_URL, LOG_LEVEL: 'info', NODE_ENV: 'development', DATABASE_POOL_MAX: '8', CACHE_NAMESPACE: `bench-${Date.now()}`,
    // The services' own TTLs unless the run says otherwise (to compare policies).
    ...(process.env.CACHE_TTL_SECONDS ? { CACHE_TTL_SECONDS: process.env.CACHE_TTL_SECONDS } : {}),
  };

  log('federated, cached: cold first turns at 200/s');
  let stack = await startFederated(base);
  const cold = await load(stack.url, coldTokens, { rate: VOICE_RATE, persisted: true });
  // Its own stack: work the deadlines cut short must not weigh on the warm runs.
  await stack.stop();
  log('federated, cached: warm at 200/s');
  stack = await startFederated({ ...base, CACHE_NAMESPACE: `bench-warm-${Date.now()}` });
  const calls = warmTokens.slice(0, WARM_CALLS);
  await prewarm(stack.url, calls);
  await load(stack.url, calls, { rate: VOICE_RATE, seconds: SETTLE_SECONDS, persisted: true });
  const warm200 = await load(stack.url, calls, { rate: VOICE_RATE, persisted: true });
  log(`federated, cached: the voice mix at 200/s (calls end after ${MEAN_CALL_TURNS} turns on average; new callers' first turns are cold)`);
  const mix = await voiceMix(stack.url, calls, newCallers);
  log('federated, cached: highest sustained rate (p99 < 100 ms)');
  await prewarm(stack.url, warmTokens.slice(WARM_CALLS));
  const fedMax = await maxSustained(stack.url, warmTokens, true, ladder);
  log('invalidation: change event → both replicas answer the new value');
  const invalidation = await invalidationLatency(database, { ...base, ORDERS_ADAPTER: 'sql' });

  log('federated, cached, auth off (AUTH_DISABLED): warm at 200/s, then all it can serve');
  const throughput = (url: string) => load(url, calls, { connections: 32, seconds: Math.max(8, Math.round(SECONDS * 0.7)), persisted: true });
  const authOnMax = await throughput(stack.url);
  await stack.stop();
  stack = await startFederated({ ...base, AUTH_DISABLED: 'true', CACHE_NAMESPACE: `bench-noauth-${Date.now()}` });
  await prewarm(stack.url, calls);
  await load(stack.url, calls, { rate: VOICE_RATE, seconds: SETTLE_SECONDS, persisted: true });
  const noAuth200 = await load(stack.url, calls, { rate: VOICE_RATE, persisted: true });
  const noAuthMax = await throughput(stack.url);
  await stack.stop();

  const sustained = fedMax.best?.rate ?? ladder[0];
  log(`spike: ${sustained}/s → ${3 * sustained}/s within 10 s, held 20 s, back to ${sustained}/s for 30 s`);
  stack = await startFederated({ ...base, CACHE_NAMESPACE: `bench-spike-${Date.now()}` });
  // The calls of the sustained rate, known to the cache, take their turns three times as often at
  // the peak: three times the traffic on a warm cache. (Three times the calls would add that many
  // cold first turns, which the cold row measures.) Each call's first turn, then turns at the rate.
  const spikeCalls = warmTokens.slice(0, sustained * TURN_SECONDS);
  await prewarm(stack.url, spikeCalls);
  await load(stack.url, spikeCalls, { rate: sustained, seconds: SETTLE_SECONDS, persisted: true });
  const spikeRate = (t: number) => (t < 10 ? sustained : t < 20 ? sustained * (1 + (2 * (t - 10)) / 10) : t < 40 ? 3 * sustained : sustained);
  const { outcomes: spike } = await drive(stack.url, spikeCalls, 70, spikeRate);
  await stack.stop();

  log('one subgraph down (logistics), 200/s, warm callers, logistics reads cached 5 s');
  // Logistics' copies expire within the run, so each answer must do without logistics; the other
  // systems keep their TTLs (all at 5 s, the reloads alone outran the cold path and hid the outage).
  const logisticsTtls = ['OrderShipments', 'Shipment', 'ShipmentByTracking', 'TrackingEvents'].map((type) => `${type}=5`).join(',');
  stack = await startFederated({ ...base, CACHE_TTL_SECONDS: `${process.env.CACHE_TTL_SECONDS ?? DEFAULT_CACHE_TTLS},${logisticsTtls}`, CACHE_NAMESPACE: `bench-down-${Date.now()}` });
  await prewarm(stack.url, calls);
  await load(stack.url, calls, { rate: VOICE_RATE, seconds: 2 * TURN_SECONDS, persisted: true });
  await stack.processes.logistics.stop();
  const { outcomes: down } = await drive(stack.url, calls, 20, () => VOICE_RATE);
  await stack.stop();

  log('federated, caching off: 200/s');
  stack = await startFederated({ ...base, CACHE_ENABLED: 'false' });
  const uncached = await load(stack.url, calls, { rate: VOICE_RATE, persisted: true });
  await stack.stop();

  log('floor (one non-federated server, same resolvers and adapters, cached)');
  let floor = await startMonolith({ ...base, CACHE_NAMESPACE: `bench-floor-${Date.now()}` });
  await load(floor.url, calls, { rate: VOICE_RATE, seconds: SETTLE_SECONDS, persisted: false });
  const floor200 = await load(floor.url, calls, { rate: VOICE_RATE, persisted: false });
  const floorMax = await maxSustained(floor.url, warmTokens, false, ladder);
  await floor.stop();

  log('slow backends: every backend call +80 ms, caching off, one request at a time');
  const slowEnv = { ...base, CACHE_ENABLED: 'false', BACKEND_LATENCY_MS: '80' };
  stack = await startFederated(slowEnv);
  const slowFederated = await slowBackendTurn(stack, coldTokens.slice(0, 15), true);
  await stack.stop();
  floor = await startMonolith(slowEnv);
  const slowFloor = await slowBackendTurn(floor, coldTokens.slice(15, 30), false);
  await floor.stop();
  await database.close();

  const commit = execSync('git rev-parse --short HEAD').toString().trim();
  const floorBest = floorMax.best;
  const fedBest = fedMax.best;
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
${row('federated, caching off (baseline)', uncached, floor200)}
${row('floor: one non-federated server, cached', floor200, floor200)}

The voice mix (${MIX_SECONDS} s on the warm stack): ${WARM_CALLS} calls in progress, each ending after a turn with probability 1/${MEAN_CALL_TURNS}
(a call of ${MEAN_CALL_TURNS} turns, ${(MEAN_CALL_TURNS * TURN_SECONDS) / 60} min, on average), when a caller never read before takes its place: the new calls' first turns are cold, among warm turns.
Its rate is the whole mix's; "served /s" is each row's share of it (on the first-turn row: new calls a second).

Errors by code: ${errorSummary([['warm', warm200], ['cold', cold], ['voice mix, first turns', mix.first], ['voice mix, other turns', mix.later], ['caching off', uncached], ['floor', floor200]])}.

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

| setup | p50 ms at 200/s | p99 ms at 200/s | served /s, 32 in flight |
|---|---|---|---|
| with auth | ${fmt(warm200.p50)} | ${fmt(warm200.p99)} | ${authOnMax.rps.toFixed(0)} |
| without auth | ${fmt(noAuth200.p50)} | ${fmt(noAuth200.p99)} | ${noAuthMax.rps.toFixed(0)} |
| with / without | ${ratio(warm200.p50, noAuth200.p50)} | ${ratio(warm200.p99, noAuth200.p99)} | ${ratio(authOnMax.rps, noAuthMax.rps)} |

## A spike: ${sustained}/s (the highest sustained rate above) to ${3 * sustained}/s within 10 s, held 20 s, then back

The ${spikeCalls.length} calls of the sustained rate, known to the cache, take a turn every ${TURN_SECONDS} s, at the peak every ${fmt(TURN_SECONDS / 3)} s:
three times the traffic on a warm cache (three times the calls would add as many cold first turns, which the cold row above measures).
The gateway's defaults (MAX_IN_FLIGHT=64, MAX_EVENT_LOOP_DELAY_MS=100): past either, requests are refused at once (503 OVERLOADED, Retry-After) instead of queueing.

| window | requests | answered whole | refused (503) | other errors | p99 answered ms | p99 refused ms |
|---|---|---|---|---|---|---|
${spikeRows(spike, [[0, 10, 'before (sustained rate)'], [10, 40, 'ramp and peak (up to 3×)'], [40, 70, 'after (back to the sustained rate)']])}

Time to recover after the peak: ${recoverySeconds(spike, 40)}.

## One subgraph down (logistics stopped), 200/s, warm callers, logistics' reads cached 5 s, for 20 s

${downSummary(down)}

## Freshness: a change event until every replica answers the new value

Two replicas of the orders subgraph sharing Redis (each with its in-process tier); the event is posted to one; both are polled.
${invalidation.length} events: p50 ${fmt(percentile(invalidation, 50))} ms, p99 ${fmt(percentile(invalidation, 99))} ms, max ${fmt(invalidation.at(-1)!)} ms.

## Slow backends: every backend call +80 ms, caching off, one request at a time (median of 15)

| setup | turn ms | in backend delays (turn / 80 ms) |
|---|---|---|
| federated | ${fmt(slowFederated)} | ${(slowFederated / 80).toFixed(1)} |
| floor | ${fmt(slowFloor)} | ${(slowFloor / 80).toFixed(1)} |

The turn makes about 20 backend calls; they run in parallel wherever one does not need another's
answer (DataLoader batches, parallel fetches, children read beside their parent where their key is
known), so it costs one delay per dependent step. Federated, there are five: the CRM (session,
customer, handoffs, interactions); orders with their line items and returns, balances and disputes;
each order's payments and parcels; the CRM again for \`brief\` (it @requires the others' data); the
audit entry. The floor has three: it resolves the brief in the same pass as the rest, and it checks
no caller and writes no audit entry.

Run took ${((Date.now() - started) / 1000).toFixed(0)} s.
`;
  writeFileSync(join(__dirname, '..', 'BENCHMARKS.md'), report);
  process.stdout.write(`\n${report}`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
