import { Client } from '@hubspot/api-client';
import http from 'node:http';
import https from 'node:https';
import { NETWORK_ERROR_CODES, failureFromHttp, type VendorCallFactory, type VendorFailure } from '../../../shared/vendor';

export interface HubspotClientConfig {
  accessToken: string;
  basePath: string;
  requestsPerSecond: number;
  searchRequestsPerSecond: number;
}

/** The SDK's ApiException, by shape (its class lives in each generated API module). */
interface ApiExceptionLike {
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
}
const isApiException = (err: unknown): err is ApiExceptionLike =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && 'body' in err && 'headers' in err;
/** The category HubSpot's error body names (OBJECT_NOT_FOUND, RATE_LIMITS, CONFLICT…). */
const categoryOf = (err: ApiExceptionLike): string | undefined => {
  const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
  return (body as { category?: unknown } | undefined)?.category as string | undefined;
};
const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** What a failed HubSpot call means to the discipline: by status, Retry-After and HubSpot's error category. */
export function classifyHubspotError(err: unknown): VendorFailure {
  if (isApiException(err)) {
    const failure = failureFromHttp(err.code, err.headers);
    const category = categoryOf(err);
    // HubSpot's 429 names the policy it hit (SECONDLY, DAILY…); a daily limit outlasts any request.
    if (err.code === 429) return { ...failure, ...(category ? { code: category } : {}) };
    if (category === 'OBJECT_NOT_FOUND') return { ...failure, kind: 'not_found', code: category };
    return { ...failure, ...(category ? { code: category } : {}) };
  }
  // Node's HTTP client: the socket's error code (ETIMEDOUT from the agent below when HubSpot went silent).
  const { name, code } = (err ?? {}) as { name?: string; code?: unknown };
  if (code === 'ETIMEDOUT') return { kind: 'timeout', code };
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return { kind: 'unavailable', code };
  if (name === 'AbortError') return { kind: 'timeout' };
  return { kind: 'other' };
}

export const isNotFound = (err: unknown) => isApiException(err) && (err.code === 404 || categoryOf(err) === 'OBJECT_NOT_FOUND');

/**
 * Node's HTTP agent whose sockets end once HubSpot has been silent on them for `ms`. The SDK takes
 * no AbortSignal: without this, a request HubSpot never answers would hold its socket for minutes
 * after the discipline stopped waiting for it.
 */
export function silentSocketsEnd(basePath: string, ms: number): http.Agent {
  const Agent = new URL(basePath).protocol === 'https:' ? https.Agent : http.Agent;
  const agent = new Agent({ keepAlive: true, timeout: ms });
  const create = agent.createConnection.bind(agent) as (...args: unknown[]) => import('node:net').Socket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = create(...args);
    socket.on('timeout', () => socket.destroy(Object.assign(new Error(`HubSpot was silent for ${ms} ms`), { code: 'ETIMEDOUT' })));
    return socket;
  }) as typeof agent.createConnection;
  return agent;
}

export type HubspotClient = ReturnType<typeof createHubspotClient>;

/**
 * HubSpot's SDK behind the vendor-call discipline: its own retries and limiter off (no
 * numberOfApiCallRetries, no limiterOptions) so that retries and the rate happen in one place.
 * Search has a limit of its own at HubSpot (per account, apart from the private app's), so its
 * calls go through a second bucket. The SDK takes no AbortSignal: the discipline stops waiting at
 * the deadline, and the agent ends the socket once silent (silentSocketsEnd).
 */
export function createHubspotClient(config: HubspotClientConfig, deps: { vendorCalls: VendorCallFactory; socketTimeoutMs: number }) {
  const hubspot = new Client({ accessToken: config.accessToken, basePath: config.basePath, numberOfApiCallRetries: 0, httpAgent: silentSocketsEnd(config.basePath, deps.socketTimeoutMs) });
  const calls = deps.vendorCalls({ vendor: 'hubspot', requestsPerSecond: config.requestsPerSecond, classify: classifyHubspotError });
  const searches = deps.vendorCalls({ vendor: 'hubspot-search', requestsPerSecond: config.searchRequestsPerSecond, classify: classifyHubspotError });
  return {
    hubspot,
    /** One read. */
    read: <T>(op: string, fn: () => Promise<T>) => calls.call({ op, kind: 'read' }, () => fn()),
    /** One read through search's own limit. */
    search: <T>(op: string, fn: () => Promise<T>) => searches.call({ op, kind: 'read' }, () => fn()),
    /** One write; retried only when `idempotent` (HubSpot takes no idempotency key: only writes that are the same when repeated). */
    write: <T>(op: string, fn: (call: { attempt: number }) => Promise<T>, idempotent = false) => calls.call({ op, kind: 'write', idempotent }, ({ attempt }) => fn({ attempt })),
  };
}
