import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { loadOperations } from '../../schema/operations';
import { DEMO_GATEWAY_SECRET } from '../../subgraphs/shared/config';
import { freePorts, type Child } from '../../test/helpers/process';
import { start, START_TIMEOUT_MS } from './children';
import { treeCpuMs } from './cpu';
import { errorCode, fmt, load, send, type Load, type Turn } from './load';

/**
 * The graph beside the gateways its users would otherwise run, on the same four subgraph processes,
 * with the same operation (FirstLook through `customer(id)`, as text) from the same callers, caller
 * auth off everywhere (the graph with AUTH_DISABLED; the peers send the subgraphs the same
 * unrestricted caller, see peer-server.ts). Each peer's answers are compared with the graph's first;
 * one that answers differently is reported, not timed.
 */
export const PEERS = [
  { id: 'apollo', name: 'stock `@apollo/gateway` + ApolloServer (no custom fetcher, no caches)' },
  { id: 'hive-js', name: 'Hive Gateway, JavaScript planner' },
  { id: 'hive-rust', name: 'Hive Gateway, Rust planner (`@graphql-hive/router-runtime`)' },
  { id: 'hive-cache', name: 'Hive Gateway + response cache (per caller, TTL 30 s)' },
  { id: 'plain', name: 'plain `node:http`, the same bytes (the limit)' },
] as const;

export interface Caller {
  /** The caller's verified session: the caller's identity for every cache (and the plain server's key). */
  token: string;
  customerId: string;
}

export interface PeerRow {
  name: string;
  /** Why the row has no figures: answers differ from the graph's, or the peer did not start. */
  refused?: string;
  closed?: Load;
  cpuMsPerRequest?: number;
  fixed?: Load;
}

export interface PeerOptions {
  /** The graph's gateway (AUTH_DISABLED) and the subgraphs it and every peer call. */
  graph: { url: string; gateway: Child; subgraphUrls: Record<string, string> };
  callers: Caller[];
  /** Seconds of each closed loop and each fixed-rate run. */
  seconds: number;
  rate: number;
  /** Callers whose answers are compared before timing. */
  sample: number;
  log(message: string): void;
}

const FIRST_LOOK = loadOperations().FirstLook;
const byCaller = new Map<string, string>();
/** The same request to every gateway: FirstLook's text and the caller's customer, the caller's session beside it. */
const firstLook: Turn = (token) => ({
  headers: { 'content-type': 'application/json', accept: 'application/json', 'x-verified-session': token },
  body: JSON.stringify({ query: FIRST_LOOK, variables: { customerId: byCaller.get(token) } }),
});

/** Each caller once, 32 at a time: caches (where a peer has them) know every caller, and JITs are warm. */
async function prewarm(url: string, callers: Caller[]): Promise<string[]> {
  const pool = new Pool(new URL(url).origin, { connections: 32 });
  const answers: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < callers.length) {
        const i = next++;
        answers[i] = (await send(pool, callers[i].token, firstLook)).text;
      }
    }),
  );
  await pool.close();
  return answers;
}

/** Callers whose answer had an error ask again, one at a time, up to three times. */
async function retryBroken(url: string, callers: Caller[], answers: string[]): Promise<void> {
  const pool = new Pool(new URL(url).origin, { connections: 1 });
  for (let i = 0; i < callers.length; i++) {
    for (let attempt = 0; attempt < 3 && errorCode(200, answers[i]) !== undefined; attempt++) answers[i] = (await send(pool, callers[i].token, firstLook)).text;
  }
  await pool.close();
}

/** The first place two answers' data differ, or null when they are the same. */
export function firstDifference(expected: unknown, actual: unknown, path = 'data'): string | null {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return null;
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object') {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const found = firstDifference((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (found) return found;
    }
  }
  return `${path}: ${JSON.stringify(expected)?.slice(0, 80)} ≠ ${JSON.stringify(actual)?.slice(0, 80)}`;
}

const dataOf = (text: string): unknown => {
  try {
    const parsed = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
    return parsed.errors?.length ? { errors: parsed.errors } : parsed.data;
  } catch {
    return { unparsable: text.slice(0, 80) };
  }
};

/** Closed loop (32 in flight) with the process tree's CPU a whole answer, then the fixed rate. */
async function time(url: string, pid: number, options: PeerOptions): Promise<Pick<PeerRow, 'closed' | 'cpuMsPerRequest' | 'fixed'>> {
  const tokens = options.callers.map((c) => c.token);
  const cpuBefore = treeCpuMs(pid);
  const closed = await load(url, tokens, firstLook, { connections: 32, seconds: options.seconds });
  const cpuMsPerRequest = (treeCpuMs(pid) - cpuBefore) / Math.max(1, closed.served);
  const fixed = await load(url, tokens, firstLook, { rate: options.rate, seconds: options.seconds });
  return { closed, cpuMsPerRequest, fixed };
}

export async function comparePeers(options: PeerOptions): Promise<{ graph: PeerRow; peers: PeerRow[] }> {
  for (const caller of options.callers) byCaller.set(caller.token, caller.customerId);
  const { graph: g, callers, log } = options;
  log('  the graph (caches on, auth off)');
  // The reference answers are warm and whole: a turn cut short on a loaded machine is no reference.
  const answers = await prewarm(g.url, callers);
  await retryBroken(g.url, callers, answers);
  const expected = answers.slice(0, options.sample).map(dataOf);
  const broken = answers.filter((text) => errorCode(200, text) !== undefined).length;
  if (broken) log(`  ${broken} of the graph's ${answers.length} warm answers still had errors after retries`);
  const graph: PeerRow = { name: 'this graph, caches on', ...(await time(g.url, g.gateway.process.pid!, options)) };

  const dir = mkdtempSync(join(tmpdir(), 'bench-peers-'));
  const answersFile = join(dir, 'answers.json');
  writeFileSync(answersFile, JSON.stringify(Object.fromEntries(callers.map((c, i) => [c.token, answers[i]]))));
  const subgraphEnv = Object.fromEntries(Object.entries(g.subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));

  const peers: PeerRow[] = [];
  for (const peer of PEERS) {
    log(`  ${peer.id}`);
    const [port] = await freePorts(1);
    const child = start('scripts/bench/peer-server.ts', { ...subgraphEnv, PEER: peer.id, PEER_PORT: String(port), PEER_ANSWERS: answersFile, GATEWAY_SECRET: DEMO_GATEWAY_SECRET, NODE_ENV: 'development' });
    const url = `http://127.0.0.1:${port}/graphql`;
    try {
      await child.waitFor(/peer ready/, START_TIMEOUT_MS);
      const sampled = callers.slice(0, options.sample);
      const seenTexts = await prewarm(url, sampled);
      await retryBroken(url, sampled, seenTexts);
      const seen = seenTexts.map(dataOf);
      const difference = seen.map((data, i) => firstDifference(expected[i], data)).find(Boolean);
      if (difference) {
        peers.push({ name: peer.name, refused: `answers differ from the graph's (${difference})` });
        continue;
      }
      await prewarm(url, callers);
      peers.push({ name: peer.name, ...(await time(url, child.process.pid!, options)) });
    } catch (err) {
      peers.push({ name: peer.name, refused: `did not run: ${(err as Error).message.split('\n')[0]}` });
    } finally {
      await child.stop();
    }
  }
  return { graph, peers };
}

/** The table's rows: closed loop req/s, CPU ms a whole answer, fixed-rate p50 / p99 (errors when any). */
export function peerRows(rows: PeerRow[]): string {
  return rows
    .map((r) => {
      if (r.refused || !r.closed || !r.fixed) return `| ${r.name} | ${r.refused ?? 'not measured'} | | |`;
      const errors = r.fixed.errors ? `, ${r.fixed.errors} errors (${Object.entries(r.fixed.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ')})` : '';
      return `| ${r.name} | ${r.closed.rps.toFixed(0)}${r.closed.errors ? ` (${r.closed.errors} errors)` : ''} | ${r.cpuMsPerRequest!.toFixed(2)} | ${fmt(r.fixed.p50)} / ${fmt(r.fixed.p99)} ms${errors} |`;
    })
    .join('\n');
}
