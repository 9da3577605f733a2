import { AsyncLocalStorage } from 'node:async_hooks';
import { BrokenCircuitError, circuitBreaker, handleWhen, type CircuitBreakerPolicy, type IBreaker } from 'cockatiel';
import { GraphQLError } from 'graphql';
import { Agent, request } from 'undici';
import type { Logger } from '../subgraphs/shared/logger';
import { DEADLINE_HEADER } from '../subgraphs/shared/resilience';
import { fetchOutcome, fetchTimer, setBreakerState } from '../subgraphs/shared/metrics';

/** The part of a fetch Response the gateway's subgraph data source reads. */
export interface SubgraphResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type SubgraphFetcher = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<SubgraphResponse>;

/**
 * A response from a body already read (a cached one, or one read to look at its cache policy);
 * `parsed` is the body already parsed, handed over once instead of parsing it again.
 */
export function bufferedResponse(url: string, status: number, body: string, contentType = 'application/json', extra: Record<string, string> = {}, parsed?: unknown): SubgraphResponse {
  let unread = parsed;
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    url,
    headers: { get: (name) => (name.toLowerCase() === 'content-type' ? contentType : (extra[name.toLowerCase()] ?? null)) },
    text: async () => body,
    json: async () => {
      const value = unread ?? JSON.parse(body);
      unread = undefined;
      return value;
    },
  };
}

/**
 * A subgraph that failed, as the client sees it: a coded, retryable error naming the subgraph
 * (the gateway reports fetch failures without a path, so the name says what is missing).
 */
export const subgraphFailure = (service: string, code: 'BACKEND_TIMEOUT' | 'BACKEND_UNAVAILABLE', detail: string) =>
  new GraphQLError(code === 'BACKEND_TIMEOUT' ? `The ${service} service did not answer in time` : `The ${service} service is unavailable`, {
    extensions: { code, service, retryable: true, detail },
  });

/**
 * Who the request in progress is for, once the gateway knows (`{}` until then): a subgraph's circuit
 * opens only on failures seen by more than one caller.
 */
export const fetchCaller = new AsyncLocalStorage<{ id?: string }>();

/** A fetch cut short by the caller's own budget (X-Deadline-Ms), not the subgraph's limit: says nothing of its health. */
class CallerDeadline extends Error {
  override name = 'CallerDeadline';
}

/** One fetch, as its subgraph's breaker sees it: for whom, and whether the subgraph could not be reached at all. */
const attempts = new AsyncLocalStorage<{ caller: string; unreachable: boolean }>();

/**
 * Opens after `threshold` failures in a row, but a time-out or a 5xx (which one caller's query may
 * cause) only once failures came from two callers or more: one caller's traffic cannot open a
 * subgraph's circuit for everyone. No connection at all says the same whoever asked.
 */
class CallersBreaker implements IBreaker {
  state = { failures: 0, unreachable: 0, callers: new Set<string>() };
  constructor(private readonly threshold: number) {}
  success() {
    if (this.state.failures) this.state = { failures: 0, unreachable: 0, callers: new Set() };
  }
  failure() {
    const attempt = attempts.getStore();
    const { callers } = this.state;
    if (callers.size < 2) callers.add(attempt?.caller ?? 'gateway');
    if (attempt?.unreachable) this.state.unreachable++;
    return ++this.state.failures >= this.threshold && (callers.size > 1 || this.state.unreachable >= this.threshold);
  }
}

export interface SubgraphFetcherOptions {
  /** Each subgraph's fetch timeout by URL (less when the request's deadline is nearer). */
  timeoutMs: (url: string) => number;
  /** The subgraph a URL belongs to, as errors name it. */
  serviceOf?: (url: string) => string;
  connectionsPerSubgraph?: number;
  /** Consecutive failures (from two callers or more) that open a subgraph's circuit, and how long before one trial request. */
  failuresToOpen?: number;
  halfOpenAfterMs?: number;
  logger?: Logger;
}

/**
 * The gateway's subgraph fetcher: undici's request API over keep-alive connection pools. Node's
 * fetch (also undici underneath) spends much of the gateway's CPU on WHATWG streams and response
 * objects the gateway never needs; this reads the body once, as text. Every fetch has a deadline
 * (the subgraph's timeout, or what is left of the request's, from X-Deadline-Ms), and each subgraph
 * has a circuit breaker: one that keeps failing is not called on every request while it recovers.
 * The breaker counts what says something about the subgraph: no connection, no answer within its
 * own timeout, a 5xx. A fetch the caller's own deadline cut short is not counted.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): SubgraphFetcher {
  const dispatcher = new Agent({ connections: options.connectionsPerSubgraph ?? 64, keepAliveTimeout: 30_000 });
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const failed = handleWhen((err) => !(err instanceof CallerDeadline)).orWhenResult((response) => (response as SubgraphResponse).status >= 500);
  const breakerFor = (url: string) => {
    let breaker = breakers.get(url);
    if (!breaker) {
      breaker = circuitBreaker(failed, { halfOpenAfter: options.halfOpenAfterMs ?? 2_000, breaker: new CallersBreaker(options.failuresToOpen ?? 5) });
      breaker.onBreak(() => options.logger?.warn({ url }, 'subgraph circuit open: failing fast'));
      breaker.onReset(() => options.logger?.info({ url }, 'subgraph circuit closed'));
      const service = options.serviceOf?.(url) ?? 'backend';
      setBreakerState('subgraph', service, 0);
      breaker.onStateChange((state) => setBreakerState('subgraph', service, state));
      breakers.set(url, breaker);
    }
    return breaker;
  };
  return async (url, init) => {
    const service = options.serviceOf?.(url) ?? 'backend';
    const budget = Number(init.headers?.[DEADLINE_HEADER]);
    const limit = options.timeoutMs(url);
    const ms = Math.min(limit, Number.isFinite(budget) ? budget : Infinity);
    if (ms <= 0) {
      fetchOutcome(service, 'timeout').inc();
      throw subgraphFailure(service, 'BACKEND_TIMEOUT', 'no time left in the request');
    }
    const attempt = { caller: fetchCaller.getStore()?.id ?? 'gateway', unreachable: false };
    const started = performance.now();
    try {
      const response = await attempts.run(attempt, () =>
        breakerFor(url).execute(async () => {
          // A timer cleared on the answer: AbortSignal.timeout's cannot be, and each one firing later
          // built an unused DOMException (2% of the gateway's CPU on cold turns).
          const deadline = new AbortController();
          const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
          try {
            const response = await request(url, { method: (init.method ?? 'POST') as 'POST', headers: init.headers, body: init.body, dispatcher, signal: deadline.signal });
            const contentType = response.headers['content-type'];
            return bufferedResponse(url, response.statusCode, await response.body.text(), Array.isArray(contentType) ? contentType[0] : contentType);
          } catch (err) {
            if (deadline.signal.aborted && ms < limit) throw new CallerDeadline(`no answer within ${ms} ms`, { cause: err });
            attempt.unreachable = !deadline.signal.aborted;
            throw err;
          } finally {
            clearTimeout(timer);
          }
        }),
      );
      fetchTimer(service).observe((performance.now() - started) / 1000);
      fetchOutcome(service, response.status >= 500 ? 'error' : 'ok').inc();
      return response;
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError' || err instanceof CallerDeadline) {
        fetchOutcome(service, 'timeout').inc();
        throw subgraphFailure(service, 'BACKEND_TIMEOUT', `no answer within ${ms} ms`);
      }
      if (err instanceof BrokenCircuitError) {
        fetchOutcome(service, 'circuit_open').inc();
        throw subgraphFailure(service, 'BACKEND_UNAVAILABLE', 'circuit open');
      }
      fetchOutcome(service, 'unavailable').inc();
      options.logger?.warn({ service, err: (err as Error).message }, 'subgraph unreachable');
      throw subgraphFailure(service, 'BACKEND_UNAVAILABLE', 'unreachable');
    }
  };
}
