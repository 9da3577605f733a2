import { AsyncLocalStorage } from 'node:async_hooks';
import EasyPostClient from '@easypost/api';
import type { Logger } from '../../../shared/logger';
import { NETWORK_ERROR_CODES, untilAborted, failureFromHttp, type VendorCallFactory, type VendorFailure } from '../../../shared/vendor';

export interface EasyPostClientConfig {
  apiKey: string;
  baseUrl: string;
  requestsPerSecond: number;
}

/** What one attempt's request is given (deadline, abort) and what its answer left (the headers, for Retry-After). */
interface Attempt {
  signal: AbortSignal;
  timeoutMs: number;
  headers?: Record<string, unknown>;
}

/** What a failed EasyPost call means to the discipline: the SDK's ApiError (status, code), superagent's timeout, or no answer at all. */
export function classifyEasyPostError(err: unknown, headers?: Record<string, unknown>): VendorFailure {
  const e = err as { name?: string; statusCode?: number; code?: string; timeout?: number; message?: string } | undefined;
  if (!e) return { kind: 'other' };
  if (e.name === 'AbortError' || e.timeout !== undefined || e.code === 'ETIMEDOUT') return { kind: 'timeout' };
  if (typeof e.statusCode === 'number') {
    const failure = failureFromHttp(e.statusCode, headers);
    return typeof e.code === 'string' ? { ...failure, code: e.code } : failure;
  }
  if (e.code && NETWORK_ERROR_CODES.has(e.code)) return { kind: 'unavailable', code: e.code };
  // superagent's own words for a socket closed mid-answer.
  if (/socket hang up|aborted|premature close/i.test(e.message ?? '')) return { kind: 'unavailable' };
  return { kind: 'other' };
}


export type EasyPostApi = InstanceType<typeof EasyPostClient>;
export type EasyPostCalls = ReturnType<typeof createEasyPostClient>;

/**
 * EasyPost's SDK behind the vendor-call discipline. The SDK has no retries of its own and never
 * applies its `timeout` option: its superagent request is given each attempt's time through the
 * SDK's `requestMiddleware`, and the call is let go when the attempt's signal aborts; the SDK's
 * response hook keeps the answer's headers
 * so a 429's Retry-After reaches the discipline (its ApiError carries only the status).
 */
export function createEasyPostClient(config: EasyPostClientConfig, deps: { vendorCalls: VendorCallFactory; logger: Logger }) {
  const attempt = new AsyncLocalStorage<Attempt>();
  const api = new EasyPostClient(config.apiKey, {
    baseUrl: config.baseUrl.replace(/\/?$/, '/'),
    requestMiddleware: (request: any) => {
      const current = attempt.getStore();
      if (!current) return request;
      // superagent ends the request itself when the attempt's time is up (it frees the socket);
      // aborting it from the signal instead rejects a promise no one holds any more.
      request.timeout({ response: Math.max(1, Math.floor(current.timeoutMs)), deadline: Math.max(1, Math.floor(current.timeoutMs)) });
      return request;
    },
  });
  api.addResponseHook((answer: { headers?: Record<string, unknown> }) => {
    const current = attempt.getStore();
    if (current) current.headers = answer.headers;
  });
  const calls = deps.vendorCalls({ vendor: 'easypost', requestsPerSecond: config.requestsPerSecond, classify: (err) => classifyEasyPostError(err, (err as { headers?: Record<string, unknown> })?.headers) });
  const run = <T>(fn: (api: EasyPostApi) => Promise<T>) => ({ signal, timeoutMs }: { signal: AbortSignal; timeoutMs: number }) => {
    const current: Attempt = { signal, timeoutMs };
    return attempt.run(current, () =>
      untilAborted(fn(api), signal).catch((err) => {
        // The discipline's classify sees only the error: the answer's headers travel on it.
        if (err && typeof err === 'object' && current.headers) Object.assign(err, { headers: current.headers });
        throw err;
      }),
    );
  };
  const isMissing = (err: unknown) => (err as { statusCode?: number })?.statusCode === 404;
  return {
    api,
    read: <T>(op: string, fn: (api: EasyPostApi) => Promise<T>) => calls.call({ op, kind: 'read' }, run(fn)),
    /** One read of an object that may not exist: null for EasyPost's 404. */
    readOrNull: <T>(op: string, fn: (api: EasyPostApi) => Promise<T>) =>
      calls.call({ op, kind: 'read' }, run((a) => fn(a).catch((err) => (isMissing(err) ? null : Promise.reject(err))))),
    /** A write EasyPost does once however often it is sent (a tracker per code and carrier): retried. */
    idempotentWrite: <T>(op: string, fn: (api: EasyPostApi) => Promise<T>) => calls.call({ op, kind: 'write', idempotent: true }, run(fn)),
    /** A write that is not safe to repeat (buying postage): never retried; the caller resumes it from its own record. */
    write: <T>(op: string, fn: (api: EasyPostApi) => Promise<T>) => calls.call({ op, kind: 'write' }, run(fn)),
  };
}
