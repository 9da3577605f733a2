import Stripe from 'stripe';
import type { Logger } from '../../../shared/logger';
import { untilAborted, failureFromHttp, type VendorCallFactory, type VendorFailure } from '../../../shared/vendor';

export interface StripeClientConfig {
  secretKey: string;
  apiHost: string;
  apiPort: number;
  apiProtocol: 'http' | 'https';
  apiVersion: string;
  requestsPerSecond: number;
}

type Options = Stripe.RequestOptions;

/** What a failed Stripe call means to the discipline: by the SDK's error type, its status and headers (Retry-After). */
export function classifyStripeError(err: unknown): VendorFailure {
  if (!(err instanceof Stripe.errors.StripeError)) {
    return { kind: (err as { name?: string })?.name === 'AbortError' ? 'timeout' : 'other' };
  }
  const code = err.code ? { code: err.code } : {};
  // No answer: the SDK's own timer (ETIMEDOUT) or a refused, reset or dropped connection.
  if (err instanceof Stripe.errors.StripeConnectionError) {
    return { kind: (err.detail as { code?: string } | undefined)?.code === 'ETIMEDOUT' ? 'timeout' : 'unavailable', ...code };
  }
  // Another request with this Idempotency-Key is running, or it was first used with other parameters.
  if (err instanceof Stripe.errors.StripeIdempotencyError) return { kind: 'conflict', status: err.statusCode, ...code };
  const failure = failureFromHttp(err.statusCode, err.headers as Record<string, unknown> | undefined);
  // Stripe's 409 is a lock on the object that it asks to retry (Stripe-Should-Retry), not a changed record.
  if (err.statusCode === 409) return { ...failure, kind: 'unavailable', ...code };
  if (err.code === 'resource_missing') return { ...failure, kind: 'not_found', ...code };
  return { ...failure, ...code };
}

export const isMissing = (err: unknown) => err instanceof Stripe.errors.StripeError && (err.statusCode === 404 || err.code === 'resource_missing');


/**
 * Node's HTTP client, without the SDK's one silent resend: with `maxNetworkRetries: 0` it still
 * resends a request whose connection closed (ECONNRESET, EPIPE) after half a second, which would
 * both retry outside the discipline and spend the deadline. The code is renamed so the SDK does not
 * recognise it; the failure reaches the discipline as the connection error it is.
 */
function withoutSdkResend(): Stripe.HttpClient {
  const base = Stripe.createNodeHttpClient();
  return Object.assign(Object.create(Object.getPrototypeOf(base)), base, {
    makeRequest: (...args: Parameters<Stripe.HttpClient['makeRequest']>) =>
      base.makeRequest(...args).catch((err: { code?: string }) => {
        if (err && Stripe.HttpClient.CONNECTION_CLOSED_ERROR_CODES.includes(err.code ?? '')) err.code = `${err.code}_NOT_RESENT`;
        throw err;
      }),
  });
}

export type StripeClient = ReturnType<typeof createStripeClient>;

/**
 * Stripe's SDK behind the vendor-call discipline: its own retries off (`maxNetworkRetries: 0`) so
 * retries happen in one place; each call gets the attempt's time as its `timeout`; every write
 * carries an Idempotency-Key, so the discipline may retry it and Stripe replays instead of doing it twice.
 */
export function createStripeClient(config: StripeClientConfig, deps: { vendorCalls: VendorCallFactory; logger: Logger }) {
  const stripe = new Stripe(config.secretKey, {
    apiVersion: config.apiVersion as Stripe.LatestApiVersion,
    host: config.apiHost,
    port: config.apiPort,
    protocol: config.apiProtocol,
    maxNetworkRetries: 0,
    httpClient: withoutSdkResend(),
    telemetry: false,
  });
  const calls = deps.vendorCalls({ vendor: 'stripe', requestsPerSecond: config.requestsPerSecond, classify: classifyStripeError });
  const options = (timeoutMs: number, extra: Options = {}): Options => ({ timeout: Math.max(1, Math.floor(timeoutMs)), ...extra });
  return {
    stripe,
    /** One read; `fn` gets the request options to pass to the SDK. */
    read: <T>(op: string, fn: (options: Options) => Promise<T>) =>
      calls.call({ op, kind: 'read' }, ({ signal, timeoutMs }) => untilAborted(fn(options(timeoutMs)), signal)),
    /** One read of an object that may not exist: null for Stripe's resource_missing. */
    readOrNull: <T>(op: string, fn: (options: Options) => Promise<T>) =>
      calls.call({ op, kind: 'read' }, ({ signal, timeoutMs }) => untilAborted(fn(options(timeoutMs)).catch((err) => (isMissing(err) ? null : Promise.reject(err))), signal)),
    /** One write, always with Stripe's Idempotency-Key: retried safely, never done twice. */
    write: <T>(op: string, idempotencyKey: string, fn: (options: Options) => Promise<T>) =>
      calls.call({ op, kind: 'write', idempotent: true }, ({ signal, timeoutMs }) => untilAborted(fn(options(timeoutMs, { idempotencyKey })), signal)),
    /** One delete: idempotent by nature (Stripe ignores keys on DELETE; a repeat answers resource_missing, here null), so retried safely. */
    remove: <T>(op: string, fn: (options: Options) => Promise<T>) =>
      calls.call({ op, kind: 'write', idempotent: true }, ({ signal, timeoutMs }) => untilAborted(fn(options(timeoutMs)).catch((err) => (isMissing(err) ? null : Promise.reject(err))), signal)),
    /** Every page of a list (`starting_after`), each page one call. */
    list: <T extends { id: string }>(op: string, fn: (params: { limit: number; starting_after?: string }, options: Options) => Promise<Stripe.ApiList<T>>) =>
      calls.paginate<T>(op, async ({ signal, timeoutMs, cursor }) => {
        const page = await untilAborted(fn({ limit: 100, ...(cursor ? { starting_after: cursor } : {}) }, options(timeoutMs)), signal);
        return { items: page.data, next: page.has_more && page.data.length ? page.data[page.data.length - 1].id : undefined };
      }),
    /** Every page of a search (`page` / `next_page`), each page one call. */
    search: <T>(op: string, fn: (params: { limit: number; page?: string }, options: Options) => Promise<Stripe.ApiSearchResult<T>>) =>
      calls.paginate<T>(op, async ({ signal, timeoutMs, cursor }) => {
        const page = await untilAborted(fn({ limit: 100, ...(cursor ? { page: cursor } : {}) }, options(timeoutMs)), signal);
        return { items: page.data, next: page.has_more && page.next_page ? page.next_page : undefined };
      }),
  };
}
