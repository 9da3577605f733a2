import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientBuilder } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { failureFromHttp, type VendorCallFactory, type VendorCalls, type VendorFailure } from '../../../shared/vendor';

export interface CommercetoolsClientOptions {
  projectKey: string;
  clientId: string;
  clientSecret: string;
  apiUrl: string;
  authUrl: string;
  scopes?: readonly string[];
  requestsPerSecond: number;
}

/** The project's API behind the vendor-call discipline: every request carries the call's signal and time. */
export interface CommercetoolsClient {
  read<T>(op: string, request: (api: ByProjectKeyRequestBuilder) => { execute(): Promise<{ body: T }> }): Promise<T>;
  /** A write the API does not deduplicate: one attempt, never retried (a 409 comes back as CONFLICT to the caller's own loop). */
  write<T>(op: string, request: (api: ByProjectKeyRequestBuilder) => { execute(): Promise<{ body: T }> }): Promise<T>;
  /** Every page of a query (offset paging, `limit` per page), each page one call. */
  readAll<T>(op: string, request: (api: ByProjectKeyRequestBuilder, page: { limit: number; offset: number }) => { execute(): Promise<{ body: { results: T[]; total?: number; count: number } }> }): Promise<T[]>;
  calls: VendorCalls;
}

/** Results per page: the API's maximum (500), so a batch's query is rarely more than one round trip. */
export const PAGE_SIZE = 500;
// commercetools refuses an offset above 10,000; a list that long is read no further (keyset paging is for exports).
const MAX_OFFSET = 10_000;

// ts-client takes one fetch for every request (token and API alike) and has no per-request signal
// option, so the call in progress hands its signal and time to that fetch through the async context.
const currentCall = new AsyncLocalStorage<{ signal: AbortSignal; timeoutMs: number }>();
const boundFetch: typeof fetch = (input, init) => {
  const call = currentCall.getStore();
  const signals = [init?.signal, call?.signal, call ? AbortSignal.timeout(Math.max(1, call.timeoutMs)) : undefined].filter((s): s is AbortSignal => !!s);
  return fetch(input, { ...init, signal: signals.length ? AbortSignal.any(signals) : undefined });
};

export function createCommercetoolsClient(options: CommercetoolsClientOptions, vendorCalls: VendorCallFactory): CommercetoolsClient {
  const ctpClient = new ClientBuilder()
    .withProjectKey(options.projectKey)
    .withClientCredentialsFlow({
      host: options.authUrl,
      projectKey: options.projectKey,
      credentials: { clientId: options.clientId, clientSecret: options.clientSecret },
      ...(options.scopes?.length ? { scopes: [...options.scopes] } : {}),
      httpClient: boundFetch,
    })
    // No retry middleware and no middleware timeout: retries and deadlines live in the discipline alone.
    .withHttpMiddleware({ host: options.apiUrl, httpClient: boundFetch, enableRetry: false, includeResponseHeaders: true, includeRequestInErrorResponse: false })
    .build();
  const api = createApiBuilderFromCtpClient(ctpClient).withProjectKey({ projectKey: options.projectKey });
  const calls = vendorCalls({ vendor: 'commercetools', requestsPerSecond: options.requestsPerSecond, classify: classifyCommercetoolsError });

  const run = <T>(op: string, kind: 'read' | 'write', request: (api: ByProjectKeyRequestBuilder) => { execute(): Promise<{ body: T }> }) =>
    calls.call({ op, kind }, ({ signal, timeoutMs }) => currentCall.run({ signal, timeoutMs }, async () => (await request(api).execute()).body));

  return {
    calls,
    read: (op, request) => run(op, 'read', request),
    write: (op, request) => run(op, 'write', request),
    readAll: <T>(op: string, request: (api: ByProjectKeyRequestBuilder, page: { limit: number; offset: number }) => { execute(): Promise<{ body: { results: T[]; count: number } }> }) =>
      calls.paginate<T>(op, ({ signal, timeoutMs, cursor }) =>
        currentCall.run({ signal, timeoutMs }, async () => {
          const offset = Number(cursor ?? 0);
          const { body } = await request(api, { limit: PAGE_SIZE, offset }).execute();
          const next = offset + body.count;
          return { items: body.results, next: body.count === PAGE_SIZE && next <= MAX_OFFSET ? String(next) : undefined };
        }),
      ),
  };
}

interface SdkError {
  statusCode?: number;
  status?: number;
  code?: string;
  name?: string;
  headers?: Record<string, unknown>;
  body?: { errors?: { code?: string }[]; statusCode?: number } | Error | null;
  error?: unknown;
}

/**
 * What an SDK failure means. ts-client rejects with its HttpError (statusCode, headers, the
 * vendor's body) for an answer, and with `{ error: NetworkError }` (statusCode 0, the fetch error
 * as `body`) when there was none: refused, reset, or cut off by the call's signal (a time-out).
 */
export function classifyCommercetoolsError(err: unknown): VendorFailure {
  let e = err as SdkError | undefined;
  if (e && e.statusCode === undefined && e.error && typeof e.error === 'object') e = e.error as SdkError;
  if (!e || typeof e !== 'object') return { kind: 'other' };
  const status = e.statusCode || e.status || 0;
  if (status === 0) {
    const cause = (e.body ?? e) as { name?: string; cause?: { name?: string } };
    const name = cause?.name ?? '';
    if (name === 'AbortError' || name === 'TimeoutError' || cause?.cause?.name === 'TimeoutError') return { kind: 'timeout', code: 'NetworkError' };
    return { kind: 'unavailable', code: 'NetworkError' };
  }
  const body = e.body && !(e.body instanceof Error) ? e.body : undefined;
  const code = body?.errors?.[0]?.code ?? (typeof e.code === 'string' ? e.code : undefined);
  const failure = failureFromHttp(status, e.headers);
  // commercetools answers a stale version with 409 ConcurrentModification, whatever the endpoint.
  if (code === 'ConcurrentModification') failure.kind = 'conflict';
  return code ? { ...failure, code } : failure;
}
