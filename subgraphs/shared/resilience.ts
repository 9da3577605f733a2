import { AsyncLocalStorage } from 'node:async_hooks';
import { BrokenCircuitError, BulkheadRejectedError, ConsecutiveBreaker, bulkhead, circuitBreaker, handleWhen, wrap } from 'cockatiel';
import { AppError, ErrorCode } from './errors';
import type { Logger } from './logger';
import { setBreakerState } from './metrics';

/** The header a request's remaining time budget travels in, in milliseconds: client → gateway → subgraph. */
export const DEADLINE_HEADER = 'x-deadline-ms';

/** When the request in progress must be answered by (ms since epoch), for every backend call it makes. */
export const requestDeadline = new AsyncLocalStorage<number>();

/** The budget a header asks for, capped at `maxMs` (and `maxMs` when there is none or it is unreadable). */
export function budgetFrom(header: string | string[] | undefined, maxMs: number): number {
  const asked = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(asked) && asked > 0 ? Math.min(asked, maxMs) : maxMs;
}

/** What is left of the request's deadline, at most `limitMs`. */
export function remainingMs(limitMs: number): number {
  const deadline = requestDeadline.getStore();
  return deadline === undefined ? limitMs : Math.min(limitMs, deadline - Date.now());
}

// Errors a backend's driver raises when it cannot be reached or went away (PostgreSQL restarting, a
// dropped socket), as opposed to the request being wrong: these are retried by clients.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNREACHABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|socket hang up|not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)|terminating connection|Client was closed/i;
// SQLSTATE classes that are the server's own trouble: connection (08), resources (53), operator
// intervention (57: shutdown, a statement timeout), system (58), internal (XX).
const BACKEND_SQLSTATE = /^(08|53|57|58|XX)/;
// Data exceptions (22: a NUL byte, a value out of range, bad text for a type): the request's values.
const INPUT_SQLSTATE = /^22/;

const codeOf = (err: unknown) => (err as { code?: unknown })?.code;

/**
 * A time-out the request's own deadline caused (it had less time left than the backend's limit):
 * it says nothing of the backend's health, so it never counts toward the backend's circuit.
 */
export class RequestDeadlineError extends AppError {}

/**
 * Whether an error is the backend's own failure (unreachable, out of time, out of resources, broken):
 * only these count toward its circuit and let a stale copy stand in. A query the backend refused for
 * what the request sent (a NUL byte in an id) or a bug in our code is not the backend's failure.
 */
export function isBackendFailure(err: unknown): boolean {
  if (err instanceof AppError) return err.code === ErrorCode.BACKEND_UNAVAILABLE || err.code === ErrorCode.BACKEND_TIMEOUT;
  if (err instanceof BrokenCircuitError) return true;
  const code = codeOf(err);
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || (code.length === 5 && BACKEND_SQLSTATE.test(code)))) return true;
  return UNREACHABLE_MESSAGES.test((err as Error)?.message ?? '');
}

/** What a backend's circuit counts: its own failures, not time-outs the caller's deadline caused. */
const countsAgainstBackend = (err: unknown) => isBackendFailure(err) && !(err instanceof RequestDeadlineError);

/** A backend failure as the API promises it: a coded, retryable error naming the service, never the driver's message. */
export function backendError(err: unknown, service: string): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof BrokenCircuitError) {
    return new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${service} backend is unavailable (failing fast while it recovers)`, { service, retryable: true });
  }
  if (err instanceof BulkheadRejectedError) {
    return new AppError(ErrorCode.OVERLOADED, `The ${service} backend is at capacity`, { service, retryable: true });
  }
  const code = codeOf(err);
  // The backend's message may quote the value (and a card number is a value): never passed on.
  if (typeof code === 'string' && code.length === 5 && INPUT_SQLSTATE.test(code)) {
    return new AppError(ErrorCode.BAD_USER_INPUT, `The ${service} backend refused a value in the request as invalid`, { service }, { cause: err });
  }
  if (isBackendFailure(err)) {
    return new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${service} backend is unavailable`, { service, retryable: true }, { cause: err });
  }
  return err;
}

/**
 * Rejects with BACKEND_TIMEOUT when `work` takes longer than `ms` (the work itself is not cancelled);
 * `cutShort`: `ms` is what the request's deadline left, less than the backend's own limit.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, service: string, cutShort = false): Promise<T> {
  const Timeout = cutShort ? RequestDeadlineError : AppError;
  if (ms <= 0) return Promise.reject(new Timeout(ErrorCode.BACKEND_TIMEOUT, `No time left for the ${service} backend`, { service, retryable: true }));
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(ErrorCode.BACKEND_TIMEOUT, `The ${service} backend did not answer within ${ms} ms`, { service, retryable: true })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface ResilienceOptions {
  /** The backend, as errors name it (the subgraph's name). */
  service: string;
  /** Each call's longest wait; less when the request's own deadline is nearer. */
  timeoutMs: number;
  /** Calls in progress at once, and waiting beyond that, before calls are refused (OVERLOADED). */
  maxConcurrent?: number;
  maxQueued?: number;
  /** Consecutive failures that open the circuit, and how long it stays open before one trial call. */
  failuresToOpen?: number;
  halfOpenAfterMs?: number;
  logger: Logger;
}

/**
 * An adapter decorator that makes every backend call a bounded one: a deadline (the backend
 * timeout, or what is left of the request's), a bulkhead (a backend that slows down cannot take
 * every request with it), and a circuit breaker (a dead backend is not called on every request;
 * after a pause one trial call tells whether it is back). Failures become coded, retryable errors.
 * `ping` only gets the deadline: readiness must see the backend as it is.
 */
export function withResilience<Port extends object>(port: Port, options: ResilienceOptions): Port {
  const { service, logger } = options;
  const breaker = circuitBreaker(
    handleWhen(countsAgainstBackend),
    { halfOpenAfter: options.halfOpenAfterMs ?? 5_000, breaker: new ConsecutiveBreaker(options.failuresToOpen ?? 5) },
  );
  breaker.onBreak(() => logger.warn({ service }, 'backend circuit open: failing fast'));
  breaker.onReset(() => logger.info({ service }, 'backend circuit closed: backend answers again'));
  setBreakerState('backend', service, 0);
  breaker.onStateChange((state) => setBreakerState('backend', service, state));
  const policy = wrap(bulkhead(options.maxConcurrent ?? 64, options.maxQueued ?? 512), breaker);
  return Object.fromEntries(
    Object.entries(port).map(([name, fn]) => {
      if (typeof fn !== 'function') return [name, fn];
      const call = (args: unknown[]) => {
        const ms = remainingMs(options.timeoutMs);
        return withDeadline(Promise.resolve().then(() => fn.apply(port, args)), ms, service, ms < options.timeoutMs);
      };
      if (name === 'ping') return [name, (...args: unknown[]) => call(args).catch((err) => Promise.reject(backendError(err, service)))];
      return [name, (...args: unknown[]) => policy.execute(() => call(args)).catch((err) => Promise.reject(backendError(err, service)))];
    }),
  ) as Port;
}
