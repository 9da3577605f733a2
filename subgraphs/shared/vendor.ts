import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, SubgraphName } from './config';
import { AppError, ErrorCode } from './errors';
import type { Logger } from './logger';
import { createRedis, type RedisClient } from './redis';
import { RequestDeadlineError, requestDeadline } from './resilience';
import { inSpan } from './telemetry';

export interface VendorCallOptions {
  /** The vendor, as logs and Redis keys name it: 'stripe', 'commercetools'. */
  vendor: string;
  /** The vendor's rate limit for this project/account, shared by every replica (Redis). */
  requestsPerSecond: number;
  /** The SDK's error → what happened (`failureFromHttp` does the HTTP part). */
  classify(err: unknown): VendorFailure;
}

export interface VendorFailure {
  kind: 'rate_limited' | 'unavailable' | 'timeout' | 'not_found' | 'conflict' | 'invalid' | 'other';
  status?: number;
  /** From Retry-After. */
  retryAfterMs?: number;
  /** The vendor's own error code ('parameter_missing', 'ConcurrentModification'): logged, never its message. */
  code?: string;
}

export interface VendorCalls {
  /**
   * One call to the vendor: `fn` gets an AbortSignal and the ms it has (the request's deadline,
   * at most the backend timeout) and must pass them to the SDK. Reads and writes carrying the
   * vendor's idempotency key are retried (backoff, Retry-After honoured within the deadline);
   * other writes never, except after a 429 (the vendor did not do it). Failures become AppErrors
   * with the closed codes, service named. An AppError `fn` throws itself passes through as it is.
   *
   *   const intent = await calls.call({ op: 'paymentIntents.retrieve', kind: 'read' },
   *     ({ signal, timeoutMs }) => stripe.paymentIntents.retrieve(id, {}, { signal, timeout: timeoutMs }));
   */
  call<T>(what: { op: string; kind: 'read' | 'write'; idempotent?: boolean }, fn: (call: { signal: AbortSignal; timeoutMs: number; attempt: number }) => Promise<T>): Promise<T>;
  /** Every page: `page(cursor)` answers items and the next cursor (undefined at the end); each page is one `call`. */
  paginate<T>(op: string, page: (call: { signal: AbortSignal; timeoutMs: number; cursor?: string }) => Promise<{ items: T[]; next?: string }>, limit?: number): Promise<T[]>;
}

/** What adapters get in their deps: the discipline for one vendor. */
export type VendorCallFactory = (options: VendorCallOptions) => VendorCalls;

export interface VendorCallFactoryOptions {
  /** The subgraph, as errors name it (`service`). */
  service: SubgraphName;
  /** Shares rate limits and vendors' pauses between replicas; without it they are this process's. */
  redisUrl?: string;
  /** Prefix of the Redis keys, so deployments can share a server. */
  namespace: string;
  /** Each attempt's longest wait; less when the request's deadline is nearer. */
  backendTimeoutMs: number;
  logger: Logger;
}

/** Attempts of a retryable call, the first included. */
export const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;
// A retry or a wait for a token is pointless when the attempt after it would have less than this.
const MIN_ATTEMPT_MS = 50;
const FIRST_CONNECT_WAIT_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
// Replicas that waited for the same moment (a window's start, a pause's end) do not all call at once.
const spread = (ms: number) => ms + Math.random() * 50;
/** Exponential backoff with "equal jitter": between half and all of base·2^(attempt-1). */
const backoffMs = (attempt: number) => {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
};

/** Socket errors that mean a vendor could not be reached or hung up mid-answer: worth another attempt. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);

/**
 * Settles with an SDK call, or rejects when the attempt's signal aborts first: for SDKs that take a
 * timeout but no signal, whose promise may never settle once the request is cut.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * What an HTTP failure means for the discipline, for adapters' `classify`: no answer at all
 * (`network`: refused, reset, dropped mid-answer) is `unavailable`; Retry-After is read in seconds
 * or as an HTTP-date.
 */
export function failureFromHttp(status?: number, headers?: Record<string, unknown>, network = false): VendorFailure {
  if (status === undefined) return { kind: network ? 'unavailable' : 'other' };
  const retryAfterMs = parseRetryAfter(headerOf(headers, 'retry-after'));
  const failure = (kind: VendorFailure['kind']): VendorFailure => (retryAfterMs === undefined ? { kind, status } : { kind, status, retryAfterMs });
  if (status === 429) return failure('rate_limited');
  if (status === 408 || status === 504) return failure('timeout');
  if (status >= 500) return failure('unavailable');
  if (status === 404 || status === 410) return failure('not_found');
  // 412: an If-Match / version precondition, the same race as a 409.
  if (status === 409 || status === 412) return failure('conflict');
  // 401/403: our credentials or the account's permissions, a configuration fault, not the request's.
  if (status === 401 || status === 403) return failure('other');
  if (status >= 400) return failure('invalid');
  return failure('other');
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  // A fetch Headers object, or a plain record with any case.
  const get = (headers as { get?: unknown }).get;
  const value = typeof get === 'function' ? (get as (n: string) => unknown).call(headers, name) : Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? undefined : String(first);
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The discipline the configuration names for a subgraph: Redis with REDIS_URL, its backend timeout. */
export const openVendorCalls = (config: Readonly<Config>, service: SubgraphName, logger: Logger) =>
  createVendorCallFactory({ service, redisUrl: config.redisUrl, namespace: config.cacheNamespace, backendTimeoutMs: config.resilience.backendTimeoutMs(service), logger });

/**
 * The one vendor-call discipline of a process (one per subgraph): every vendor adapter's calls go
 * through it. Redis (one connection, opened when the first vendor asks for its calls) shares each
 * vendor's rate limit and pauses between replicas; without Redis, or while it is down, each
 * replica keeps them in process, so a Redis blip never stops vendor calls.
 *
 * A call outside a request (a job) has one backend timeout in all; a job that wants more runs it
 * inside `requestDeadline.run(Date.now() + ms, …)`.
 */
export function createVendorCallFactory(options: VendorCallFactoryOptions): VendorCallFactory & { used(): boolean; close(): Promise<void> } {
  const { service, namespace, backendTimeoutMs, logger } = options;
  let redis: RedisClient | undefined;
  // Settled once the first connection attempt is over (ready or failed), for the calls made meanwhile.
  let firstConnect: Promise<void> | undefined;
  let connecting = false;
  const connection = () => {
    if (redis || !options.redisUrl) return redis;
    redis = createRedis(options.redisUrl, {
      lazyConnect: true,
      // Redis down must cost the shared view (in-process limits take over), not a queue of waiting calls.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 200,
      connectTimeout: 2_000,
      // How long a socket that never opened may keep a timer (and the process) alive after close().
      disconnectTimeout: 200,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
      // The pause read and the token of a call leave in one write.
      enableAutoPipelining: true,
    });
    redis.on('error', (err) => logger.warn({ err: err.message }, 'vendor-call redis error; rate limits kept in process'));
    connecting = true;
    firstConnect = redis.connect().catch(() => undefined).finally(() => void (connecting = false));
    return redis;
  };
  const ready = () => redis?.status === 'ready';
  // Until when each vendor asked us to pause (a 429's Retry-After), as this process knows it.
  const pausedUntil = new Map<string, number>();
  const pauseKey = (vendor: string) => `${namespace}:vendor:${vendor}:paused-until`;

  const notePause = (vendor: string, until: number) => {
    if (until > (pausedUntil.get(vendor) ?? 0)) pausedUntil.set(vendor, until);
    if (!ready()) return;
    // Kept only if later than what another replica already wrote, and gone when the pause is over.
    redis!
      .eval("local cur = tonumber(redis.call('get', KEYS[1]) or '0') if tonumber(ARGV[1]) > cur then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 0", 1, pauseKey(vendor), String(until), String(Math.max(1, until - Date.now())))
      .catch((err: Error) => logger.warn({ vendor, err: err.message }, 'vendor pause not shared'));
  };
  /** A call right after start waits a moment for the shared view (limits, pauses) rather than go without it. */
  const firstConnection = async (deadline: number) => {
    if (!connecting) return;
    let timer: NodeJS.Timeout | undefined;
    const ms = Math.min(FIRST_CONNECT_WAIT_MS, deadline - Date.now() - MIN_ATTEMPT_MS);
    await Promise.race([firstConnect, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  };
  const pauseOf = async (vendor: string): Promise<number> => {
    const local = pausedUntil.get(vendor) ?? 0;
    if (!ready()) return local;
    try {
      return Math.max(local, Number((await redis!.get(pauseKey(vendor))) ?? 0));
    } catch {
      return local;
    }
  };

  let asked = false;
  const factory = (vendorOptions: VendorCallOptions): VendorCalls => {
    asked = true;
    const { vendor, classify } = vendorOptions;
    const store = connection();
    // Rate-limiter-flexible counts whole points in whole-second windows: below 1/s, one call per window of 1/rate s.
    const rps = vendorOptions.requestsPerSecond;
    if (!(rps > 0)) throw new Error(`vendor ${vendor}: requestsPerSecond must be positive`);
    const window = { points: Math.max(1, Math.floor(rps)), duration: rps >= 1 ? 1 : Math.round(1 / rps), keyPrefix: `${namespace}:vendor-rate` };
    const inProcess = new RateLimiterMemory(window);
    const limiter: RateLimiterAbstract = store ? new RateLimiterRedis({ ...window, storeClient: store, rejectIfRedisNotReady: true, insuranceLimiter: inProcess }) : inProcess;

    const failWith = (code: ErrorCode, message: string, details: Record<string, unknown> = { service }) => new AppError(code, message, details);
    const atCapacity = () => failWith(ErrorCode.OVERLOADED, `The ${service} backend is at its rate limit; retry shortly`, { service, retryable: true });
    const noTimeLeft = () => new RequestDeadlineError(ErrorCode.BACKEND_TIMEOUT, `No time left for the ${service} backend`, { service, retryable: true });
    const fits = (deadline: number, waitMs: number) => Date.now() + waitMs + MIN_ATTEMPT_MS <= deadline;

    /** Waits out a vendor's pause and for a token of its rate; fails fast when either ends past the deadline. */
    const admit = async (deadline: number) => {
      await firstConnection(deadline);
      for (;;) {
        const [until, token] = await Promise.all([pauseOf(vendor), limiter.consume(vendor).then(() => 0, (res: unknown) => tokenWait(res))]);
        const waitMs = Math.max(until - Date.now(), token);
        if (waitMs <= 0) return;
        // Over our share of the vendor: OVERLOADED (like the bulkhead), not BACKEND_UNAVAILABLE, which
        // would count toward the circuit and refuse every request for seconds over a momentary excess.
        if (!fits(deadline, waitMs)) throw atCapacity();
        await sleep(spread(waitMs));
      }
    };
    const tokenWait = (res: unknown): number => {
      if (res instanceof RateLimiterRes) return Math.max(1, res.msBeforeNext);
      // Neither Redis nor the in-process limiter answered (cannot happen with the insurance): let the call go.
      logger.warn({ vendor, err: (res as Error)?.message }, 'vendor rate limit unavailable; call let through');
      return 0;
    };

    /** One attempt within `ms`: the SDK gets the signal, and a vendor that ignores it is not waited for. */
    const attemptOnce = async <T>(fn: (call: { signal: AbortSignal; timeoutMs: number; attempt: number }) => Promise<T>, ms: number, attempt: number) => {
      const controller = new AbortController();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort(new Error(`vendor call timed out after ${ms} ms`));
          reject(new Error('timeout'));
        }, ms);
      });
      const work = Promise.resolve().then(() => fn({ signal: controller.signal, timeoutMs: ms, attempt }));
      work.catch(() => undefined);
      try {
        return { ok: true as const, value: await Promise.race([work, timeout]) };
      } catch (err) {
        return { ok: false as const, err, timedOut };
      } finally {
        clearTimeout(timer);
      }
    };

    const toAppError = (failure: VendorFailure, op: string, cutShort: boolean): AppError => {
      switch (failure.kind) {
        case 'unavailable':
          return failWith(ErrorCode.BACKEND_UNAVAILABLE, `The ${service} backend is unavailable`, { service, retryable: true });
        case 'timeout':
          return cutShort
            ? new RequestDeadlineError(ErrorCode.BACKEND_TIMEOUT, `The ${service} backend did not answer within the request's deadline`, { service, retryable: true })
            : failWith(ErrorCode.BACKEND_TIMEOUT, `The ${service} backend did not answer in time`, { service, retryable: true });
        case 'rate_limited':
          return atCapacity();
        case 'not_found':
          return failWith(ErrorCode.NOT_FOUND, `Not found in the ${service} backend`);
        case 'conflict':
          return failWith(ErrorCode.CONFLICT, `The ${service} backend refused the change: the record changed meanwhile`);
        case 'invalid':
          // Our request was wrong: a bug on our side, for us to read in the logs, not for the client.
          logger.error({ vendor, op, status: failure.status, code: failure.code }, 'vendor refused our request as invalid');
          return failWith(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
        default:
          logger.error({ vendor, op, status: failure.status, code: failure.code }, 'vendor call failed in a way the adapter does not classify');
          return failWith(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      }
    };

    // One span per call, its retries inside it.
    const call: VendorCalls['call'] = (what, fn) => inSpan(`${vendor} ${what.op}`, { 'vendor.name': vendor, 'vendor.operation': what.op, 'vendor.call_kind': what.kind }, () => callOnce(what, fn));
    const callOnce: VendorCalls['call'] = async (what, fn) => {
      const { op } = what;
      const retryable = what.kind === 'read' || what.idempotent === true;
      const deadline = requestDeadline.getStore() ?? Date.now() + backendTimeoutMs;
      for (let attempt = 1; ; attempt++) {
        await admit(deadline);
        const left = deadline - Date.now();
        if (left <= 0) throw noTimeLeft();
        const ms = Math.min(backendTimeoutMs, left);
        const outcome = await attemptOnce(fn, ms, attempt);
        if (outcome.ok) return outcome.value;
        // The adapter decided what this is (a NOT_FOUND of its own): not the vendor's failure.
        if (!outcome.timedOut && outcome.err instanceof AppError) throw outcome.err;
        const failure: VendorFailure = outcome.timedOut ? { kind: 'timeout' } : safeClassify(outcome.err);
        logger.warn({ vendor, op, kind: failure.kind, status: failure.status, attempt }, 'vendor call failed');
        if (failure.kind === 'rate_limited' && failure.retryAfterMs !== undefined) notePause(vendor, Date.now() + failure.retryAfterMs);

        // A 429 means the vendor did not do it: any call may try again; other failures only when safe.
        const again = failure.kind === 'rate_limited' || (retryable && (failure.kind === 'unavailable' || failure.kind === 'timeout'));
        const waitMs = Math.max(backoffMs(attempt), failure.retryAfterMs ?? 0);
        if (again && attempt < MAX_ATTEMPTS && fits(deadline, waitMs)) {
          // A pause is waited for by `admit`, with every other call to this vendor.
          if (failure.kind !== 'rate_limited' || failure.retryAfterMs === undefined) await sleep(waitMs);
          continue;
        }
        // Only our own timer, set short by the request's deadline, makes a time-out the request's.
        throw toAppError(failure, op, outcome.timedOut && ms < backendTimeoutMs);
      }
    };
    const safeClassify = (err: unknown): VendorFailure => {
      try {
        return classify(err);
      } catch {
        return { kind: 'other' };
      }
    };

    async function paginate<T>(op: string, page: (call: { signal: AbortSignal; timeoutMs: number; cursor?: string }) => Promise<{ items: T[]; next?: string }>, limit = Infinity): Promise<T[]> {
      const items: T[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const answer = await call({ op, kind: 'read' }, ({ signal, timeoutMs }) => page({ signal, timeoutMs, cursor }));
        items.push(...answer.items);
        cursor = answer.next;
        // A vendor answering a cursor it gave before would page forever.
        if (cursor !== undefined && seen.has(cursor)) {
          logger.error({ vendor, op }, 'vendor repeated a page cursor');
          throw failWith(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
        }
        if (cursor !== undefined) seen.add(cursor);
      } while (cursor !== undefined && items.length < limit);
      return items.length > limit ? items.slice(0, limit) : items;
    }

    return { call, paginate };
  };

  return Object.assign(factory, {
    /** Whether an adapter asked for a vendor's calls: its methods' bounds are then the calls' (see subgraph.ts). */
    used: () => asked,
    close: async () => {
      const closing = redis;
      redis = undefined;
      // Pause notes still in flight are sent; a connection that never came up is just dropped.
      if (closing?.status === 'ready') await closing.quit().catch(() => closing.disconnect());
      else closing?.disconnect();
    },
  });
}
