import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { Client } from 'pg';
import { Pool } from 'undici';
import { mintToken } from '../gateway/auth';
import { operationId } from '../gateway/persisted';
import { loadOperations } from '../schema/operations';
import { signSessionToken } from '../subgraphs/shared/auth';
import { DEMO_AUTH_JWT_SECRET, DEMO_GATEWAY_SECRET } from '../subgraphs/shared/config';
import { createDatabase, type Database } from '../subgraphs/shared/db';
import { customerId } from '../test/fixtures/demo-data';
import { seedDemo } from '../test/fixtures/seed';
import { freePorts } from '../subgraphs/shared/http';
import { untilHealthy } from './bench/children';

/**
 * What metrics, the access log and tracing cost the warm per-turn request: the whole graph (one
 * process, `scripts/start.ts`, on PostgreSQL and Redis) under the same fixed rate of warm
 * CustomerContext turns, in three settings, each on a fresh process:
 *   off       BASELINE_ROOT's tree (a checkout without observability), or this one with LOG_LEVEL=warn
 *   metrics   this tree: /metrics collected and the access log written (to /dev/null, as a pipe would)
 *   traced    the same, and every span exported over OTLP/HTTP to a sink in this process
 *   sampled   the same, one trace in twenty kept (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.05)
 * Prints p50/p99 and the graph's CPU time per turn of each, and their ratios to `off`. BENCH_SHORT=1:
 * fewer customers, shorter runs; OBS_RATE=0: one turn at a time instead of a fixed rate.
 * Settings: BENCH_DATABASE_URL, BENCH_REDIS_URL, OBS_RATE (turns/s), OBS_SECONDS, OBS_SETTLE_SECONDS, OBS_CALLS, BASELINE_ROOT,
 * OBS_ROUNDS (each setting that many times, in turn; the medians are reported), OBS_SETTINGS (e.g. `metrics,sampled`).
 */
const SHORT = process.env.BENCH_SHORT === '1';
const CUSTOMERS = SHORT ? 2_000 : 20_000;
const RATE = Number(process.env.OBS_RATE ?? (SHORT ? 20 : 100));
const SECONDS = Number(process.env.OBS_SECONDS ?? (SHORT ? 20 : 60));
const CALLS = Number(process.env.OBS_CALLS ?? RATE * 3); // one turn every 3 s per call
const SETTLE_SECONDS = Number(process.env.OBS_SETTLE_SECONDS ?? (SHORT ? 10 : 30));
// Rounds of every setting, interleaved: one run of each differs from the next by more than the overhead measured.
const ROUNDS = Number(process.env.OBS_ROUNDS ?? 1);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bench_observability';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const ROOT = join(__dirname, '..');
const BASELINE_ROOT = process.env.BASELINE_ROOT;
const log = (message: string) => process.stdout.write(`[bench-observability] ${message}\n`);

async function ensureDatabase(): Promise<Database> {
  const admin = new URL(DATABASE_URL);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  if (!(await client.query('select 1 from pg_database where datname = $1', [name])).rowCount) await client.query(`create database "${name}"`);
  await client.end();
  const database = await createDatabase({ url: DATABASE_URL, poolMax: 4 });
  const anchor = new Date().toISOString().slice(0, 10);
  await sql`create table if not exists public.bench_seed (customers int, anchor text)`.execute(database.db);
  const { rows } = await sql<{ customers: number; anchor: string }>`select * from public.bench_seed`.execute(database.db);
  if (rows[0]?.customers !== CUSTOMERS || rows[0]?.anchor !== anchor) {
    log(`seeding ${CUSTOMERS} customers`);
    await seedDemo(database.db, { customers: CUSTOMERS });
    await sql`delete from public.bench_seed`.execute(database.db);
    await sql`insert into public.bench_seed values (${CUSTOMERS}, ${anchor})`.execute(database.db);
  }
  return database;
}

/** Verified voice sessions for `count` customers spread over the base: one call each. */
async function createSessions(database: Database, count: number): Promise<string[]> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 86_400_000);
  const tokens: string[] = [];
  const rows = [];
  for (let i = 0; i < count; i++) {
    const customer = customerId((i * 7919) % CUSTOMERS);
    const id = `vs_obs_${randomBytes(8).toString('hex')}`;
    const token = await signSessionToken({ sessionId: id, customerId: customer, channel: 'VOICE', expiresAt }, DEMO_GATEWAY_SECRET);
    tokens.push(token);
    rows.push({ id, tokenHash: createHash('sha256').update(token).digest('hex'), customerId: customer, channel: 'VOICE', method: 'POSTAL_CODE', agentId: 'bench', createdAt: now, expiresAt });
  }
  await database.db.withSchema('customers_records').insertInto('verifiedSessions').values(rows).execute();
  return tokens;
}

/** An OTLP/HTTP receiver that reads and counts what it is sent, as a collector would take it. */
async function startSink(): Promise<{ url: string; spans: () => number; close(): Promise<void> }> {
  let spans = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      spans += (body.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const [port] = await freePorts(1);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, spans: () => spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `scripts/start.ts` of a tree, on the bench database; resolves once the gateway answers. */
async function startGraph(root: string, env: Record<string, string>): Promise<{ url: string; cpuSeconds(): number; stop(): Promise<void> }> {
  const [gateway, orders, customers, payments, logistics] = await freePorts(5);
  // As `npm start` runs it (node itself, no wrapper process): its CPU time is the graph's.
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL,
      REDIS_URL,
      CACHE_NAMESPACE: `obs-${randomBytes(4).toString('hex')}`,
      SEED_ON_START: 'false',
      GATEWAY_PORT: String(gateway),
      ORDERS_PORT: String(orders),
      CUSTOMERS_PORT: String(customers),
      PAYMENTS_PORT: String(payments),
      LOGISTICS_PORT: String(logistics),
      // Five services share one event loop here: its lag is not one service's overload (no shedding on it).
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...env,
    },
    // The log is written and thrown away, as a process writing to a collector's pipe pays for it.
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code));
  // Ready when the gateway answers /healthz (it listens last): at LOG_LEVEL=warn no "ready" line comes.
  await untilHealthy(gateway, { ended: () => (exit === undefined ? undefined : `the graph exited (${exit})`), output: () => output });
  return {
    url: `http://127.0.0.1:${gateway}`,
    // utime and stime, in clock ticks (100 a second on Linux), of /proc/<pid>/stat.
    cpuSeconds: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const BODY = JSON.stringify({ variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(loadOperations().CustomerContext) } } });

/**
 * Open-loop turns at `rate` for `seconds` over the calls (each latency counted from when its turn was
 * due); rate 0: one turn at a time, back to back (no queueing in the graph: on a busy machine, the
 * steadier measure of a turn's own cost).
 */
async function drive(url: string, tokens: string[], rate: number, seconds: number): Promise<{ latencies: number[]; errors: number; codes: Record<string, number> }> {
  const agent = await mintToken({ role: 'agent', sub: 'voice-bot', channel: 'VOICE' }, { jwtSecret: DEMO_AUTH_JWT_SECRET, issuer: 'customer-context-graph', audience: 'customer-context-graph' }, '1d');
  const pool = new Pool(url, { connections: 128, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  const codes: Record<string, number> = {};
  const failed = (code: string) => {
    errors++;
    codes[code] = (codes[code] ?? 0) + 1;
  };
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  let due = started;
  let next = 0;
  const send = async (dueAt: number) => {
    const token = tokens[next++ % tokens.length];
    try {
      const response = await pool.request({ path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}`, 'x-verified-session': token }, body: BODY });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"errors"')) failed(/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${response.statusCode}`);
    } catch {
      failed('no answer');
    }
    latencies.push(performance.now() - dueAt);
  };
  if (rate === 0) {
    while (performance.now() < started + seconds * 1000) await send(performance.now());
  }
  while (rate > 0 && due < started + seconds * 1000) {
    while (due <= performance.now()) {
      inFlight.push(send(due));
      due += 1000 / rate;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(5, due - performance.now()))));
  }
  await Promise.all(inFlight);
  await pool.close();
  return { latencies: latencies.sort((a, b) => a - b), errors, codes };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Result {
  setting: string;
  p50: number;
  p99: number;
  count: number;
  errors: number;
  /** The graph process's CPU time per turn measured, in ms. */
  cpuMs: number;
}

async function measure(setting: string, root: string, env: Record<string, string>, tokens: string[]): Promise<Result> {
  log(`${setting}: starting the graph (${root === ROOT ? 'this tree' : root})`);
  const graph = await startGraph(root, env);
  try {
    // Every call's first turn (cold), then turns at the measured rate until the caches' refreshes settle.
    await drive(graph.url, tokens, 0, tokens.length / 20);
    await drive(graph.url, tokens, RATE, SETTLE_SECONDS);
    const cpuBefore = graph.cpuSeconds();
    const { latencies, errors, codes } = await drive(graph.url, tokens, RATE, SECONDS);
    const cpuMs = ((graph.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, latencies.length);
    const result = { setting, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length, errors, cpuMs };
    const pace = RATE ? `at ${RATE}/s` : 'one at a time';
    log(`${setting}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, CPU ${cpuMs.toFixed(2)} ms a turn, over ${result.count} turns ${pace} (${errors} errors${errors ? `: ${JSON.stringify(codes)}` : ''})`);
    return result;
  } finally {
    await graph.stop();
  }
}

async function main() {
  if (BASELINE_ROOT && !existsSync(join(BASELINE_ROOT, 'node_modules/.bin/tsx'))) throw new Error(`BASELINE_ROOT ${BASELINE_ROOT} has no node_modules/.bin/tsx`);
  const database = await ensureDatabase();
  const tokens = await createSessions(database, CALLS);
  await database.close();
  const sink = await startSink();
  const settings: [string, string, Record<string, string>][] = [
    ['off', BASELINE_ROOT ?? ROOT, BASELINE_ROOT ? {} : { LOG_LEVEL: 'warn' }],
    ['metrics', ROOT, {}],
    ['traced', ROOT, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_SCHEDULE_DELAY: '1000' }],
    // What a production deployment runs: one trace in twenty kept (the README's advice), decided where it starts.
    ['sampled', ROOT, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_BSP_SCHEDULE_DELAY: '1000', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' }],
  ];
  // OBS_SETTINGS=off,sampled: only those (off always first, the ratios' base).
  const chosen = process.env.OBS_SETTINGS?.split(',');
  if (chosen) settings.splice(0, settings.length, ...settings.filter(([name]) => name === 'off' || chosen.includes(name)));
  const runs = new Map<string, Result[]>(settings.map(([name]) => [name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) log(`round ${round} of ${ROUNDS}`);
    for (const [name, root, env] of settings) runs.get(name)!.push(await measure(name, root, env, tokens));
  }
  await sink.close();
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
  };
  const results = settings.map(([name]) => {
    const all = runs.get(name)!;
    return { setting: name, p50: median(all.map((r) => r.p50)), p99: median(all.map((r) => r.p99)), cpuMs: median(all.map((r) => r.cpuMs)) };
  });
  const [off] = results;
  log(`${sink.spans()} spans exported to the sink`);
  log(`setting | p50 ms | p99 ms | p99 / off | CPU ms a turn | CPU / off${ROUNDS > 1 ? ` (medians of ${ROUNDS} rounds)` : ''}`);
  for (const r of results) log(`${r.setting} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.p99 / off.p99).toFixed(3)} | ${r.cpuMs.toFixed(2)} | ${(r.cpuMs / off.cpuMs).toFixed(3)}`);
  if (!BASELINE_ROOT) log('off is this tree with the access log off (LOG_LEVEL=warn); metrics are always collected here: set BASELINE_ROOT to a checkout without observability for the whole cost');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
