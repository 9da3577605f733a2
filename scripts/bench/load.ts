import { Pool } from 'undici';

/**
 * The benchmark's load machinery: open-loop arrivals at a rate (drive), closed loops of requests
 * back to back, and their summaries. What a request is (path, headers, body) is the caller's `Turn`.
 */

/** One request a caller sends, from its token (a verified session). */
export type Turn = (token: string) => Promise<{ headers: Record<string, string>; body: string }> | { headers: Record<string, string>; body: string };

/** One request: its status and body (status 0 when no answer came). */
export async function send(pool: Pool, token: string, turn: Turn): Promise<{ status: number; text: string }> {
  try {
    const { headers, body } = await turn(token);
    const response = await pool.request({ path: '/graphql', method: 'POST', headers, body });
    return { status: response.statusCode, text: await response.body.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

export interface Load {
  rate: number | null;
  p50: number;
  p99: number;
  max: number;
  /** Requests measured. */
  count: number;
  /** Whole answers a second (status 200, no error): refusals (503) and partial answers are not served. */
  rps: number;
  /** Whole answers in all. */
  served: number;
  errors: number;
  /** What the errors were: the first error code of each failed answer ("no answer" when none came). */
  errorCodes: Record<string, number>;
  /** A ladder step measured a second time after its first try failed. */
  retry?: boolean;
}

export interface Outcome {
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
export function errorCode(status: number, text: string): string | undefined {
  if (status === 200 && !text.includes('"errors"')) return undefined;
  if (status === 0) return 'no answer';
  return /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? `HTTP ${status}`;
}

/**
 * Open-loop arrivals at a rate that may change over time (`rateAt(seconds)`): requests leave on a
 * steady schedule (not in bursts, and not waiting for answers), and each latency counts from when
 * its request was due, so a backlog shows as latency (no coordinated omission). Every outcome kept.
 */
export async function drive(
  url: string,
  tokens: string[],
  seconds: number,
  rateAt: (t: number) => number,
  turn: Turn,
  options: { connections?: number; pick?: () => string } = {},
): Promise<{ outcomes: Outcome[]; elapsed: number }> {
  const pool = new Pool(new URL(url).origin, { connections: options.connections ?? 512, keepAliveTimeout: 30_000 });
  const outcomes: Outcome[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  let next = 0;
  let due = started;
  const sendDue = async (dueAt: number) => {
    const token = options.pick?.() ?? tokens[next++ % tokens.length];
    const { status, text } = await send(pool, token, turn);
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
      inFlight.push(sendDue(due));
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
export async function load(url: string, tokens: string[], turn: Turn, options: { rate?: number; seconds: number; connections?: number }): Promise<Load> {
  const seconds = options.seconds;
  if (options.rate) {
    const rate = options.rate;
    const driven = await drive(url, tokens, seconds, () => rate, turn, { connections: options.connections ?? 256 });
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
      const { status, text } = await send(pool, tokens[next++ % tokens.length], turn);
      codes.push(errorCode(status, text));
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: options.connections ?? 64 }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return summary(latencies, codes, elapsed, null);
}

/** Percentiles of the latencies, whole answers a second over `elapsed`, and the error codes counted (undefined: no error). */
export function summary(latencies: number[], codes: (string | undefined)[], elapsed: number, rate: number | null): Load {
  const errorCodes: Record<string, number> = {};
  for (const code of codes) if (code) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  latencies.sort((a, b) => a - b);
  return {
    rate,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? 0,
    count: latencies.length,
    rps: codes.filter((code) => code === undefined).length / elapsed,
    served: codes.filter((code) => code === undefined).length,
    errors: Object.values(errorCodes).reduce((sum, n) => sum + n, 0),
    errorCodes,
  };
}

/** Latency and errors of a drive's outcomes, or of some of them (`rps` over the whole drive). */
export const summaryOf = (outcomes: Outcome[], elapsed: number, rate: number) =>
  summary(
    outcomes.map((o) => o.latency),
    outcomes.map((o) => o.code),
    elapsed,
    rate,
  );
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
export const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
export const ratio = (a: number, b: number) => (b ? `${(a / b).toFixed(2)}×` : 'n/a');
