import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type BaseContext, type ContextThunk } from '@apollo/server';
import { REQUEST_ID_HEADER, requestIdFrom, requestScope, type Logger, type RequestScope } from './logger';
import { operationLabel, requestsShed, requestTimer } from './metrics';
import { redactCardNumbers } from './pii';
import { createCors } from './cors';
import { withoutUnsampledSpan } from './telemetry';

/** A plain JSON endpoint beside /graphql (POST only): the raw body in, a status and a JSON body out. */
export type Route = (rawBody: string, req: http.IncomingMessage) => Promise<{ status: number; body: unknown }>;

/**
 * An endpoint that answers the raw request itself (pages, streams, /metrics, /mcp): any method, its own
 * status and headers. Matched by exact path, or by a prefix that ends in '/' (`/desk/`).
 */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void;

/** A dependency check: throws (or takes longer than READINESS_TIMEOUT_MS) when the dependency does not answer. */
export type ReadinessCheck = () => Promise<unknown>;

/**
 * What /readyz checks. Ready means "can serve": only a dependency without which no request can be
 * answered fails it (503); one the service runs without, degraded (the cache, a subgraph), shows in
 * the body only. Otherwise one blip of a shared dependency takes every replica out of service at once.
 */
export interface Readiness {
  required?: Record<string, ReadinessCheck>;
  optional?: Record<string, ReadinessCheck>;
}

/** Below an orchestrator's probe timeout (the manifests give 3 s): a hanging dependency is a failed check, not a failed probe. */
export const READINESS_TIMEOUT_MS = 1_500;

/** A route's refusal: the status, and the error's code and message as JSON. */
export const routeError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

export interface HttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (DataLoaders, the caller), given the parsed body of a POST. */
  context: (req: http.IncomingMessage, body: unknown) => Promise<TContext>;
  /** What /readyz checks, by name (see Readiness). */
  readiness?: Readiness;
  /** Origins browsers may call from (CORS); with any, OPTIONS preflights are answered (204). None: no CORS at all. */
  corsOrigins?: readonly string[];
  maxBodyBytes?: number;
  /** Other POST endpoints by path (a subgraph's /events), given the raw body and the request. */
  routes?: Record<string, Route>;
  /** Endpoints that answer the raw request themselves, by path (see Handler). */
  handlers?: Record<string, Handler>;
  /**
   * Answers a GraphQL POST before Apollo sees it (the gateway's warm hits), or undefined to go on:
   * called once its body is parsed and it holds a place in flight, inside `scope`.
   */
  answerEarly?: (req: http.IncomingMessage, body: unknown) => Promise<{ status: number; headers: Record<string, string>; body: string; operation?: string } | undefined>;
  /** Runs the GraphQL request inside whatever per-request scope the service needs (fresh reads). */
  scope?: <T>(req: http.IncomingMessage, run: () => Promise<T>) => Promise<T>;
  /** GraphQL requests worked on at once; past it, a request is refused at once (503, Retry-After) rather than queued. */
  maxInFlight?: number;
  /**
   * Refuse as well while the event loop lags more than this (p99 over the last half second) with
   * requests in progress: the process is past its capacity, and queued work would only time out.
   */
  maxEventLoopDelayMs?: number;
  /** The service as the access log and the metrics name it (`gateway`, `orders`, …). */
  service?: string;
  /** Where the access log goes: one line per request (not the probes' nor the scrapes'). */
  logger?: Logger;
}

/** Names the request's operation for the access log and the metrics when the client sent no operationName (a document with one operation). */
export const operationNamePlugin: ApolloServerPlugin<any> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName }) {
        const scope = requestScope.getStore();
        if (scope && !scope.operation && operationName) scope.operation = loggedName(operationName);
      },
    };
  },
};

/** A client's operation name as the access log keeps it: at most 100 characters, and never a card number (a name may hold digits). */
const loggedName = (name: string) => (/\d{12}/.test(name) ? redactCardNumbers(name.slice(0, 100)) : name.slice(0, 100));

// Probes and scrapes come every few seconds from the orchestrator: neither logged nor counted.
const UNLOGGED = new Set(['/healthz', '/readyz', '/metrics']);

/** Sends `body` as JSON with its length (the raw handlers' answers too). */
export const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
};

const graphqlError = (res: http.ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(res, status, { errors: [{ message, extensions: { code } }] }, headers);

/** A body past the limit: the request is cut off (413). */
export class BodyTooLarge extends Error {}

/** The whole body as text, refused past `limit` bytes (BodyTooLarge) or when the request closes first. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // Closed before its end (the server's request timeout, the client going away): never left pending.
    req.on('close', () => reject(new Error('the request closed before its body was read')));
  });
}

/** /readyz's answer: 503 only when a required check fails; every check's state in the body. */
async function readinessOf(readiness: Readiness): Promise<{ status: number; body: { status: string; checks: Record<string, 'up' | 'down'> } }> {
  const entries = [...Object.entries(readiness.required ?? {}).map(([name, check]) => [name, check, true] as const), ...Object.entries(readiness.optional ?? {}).map(([name, check]) => [name, check, false] as const)];
  const results = await Promise.all(
    entries.map(([, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS)));
      return Promise.race([check(), timeout]).then(() => true, () => false).finally(() => clearTimeout(timer));
    }),
  );
  const checks = Object.fromEntries(entries.map(([name], i) => [name, results[i] ? 'up' : 'down'] as const));
  const failedRequired = entries.some(([, , required], i) => required && !results[i]);
  const status = failedRequired ? 'unavailable' : results.every(Boolean) ? 'ready' : 'degraded';
  return { status: failedRequired ? 503 : 200, body: { status, checks } };
}

/**
 * The node:http front of a subgraph or the gateway: /graphql through Apollo's HTTP API, plus
 * /healthz (the process is alive) and /readyz (it can serve, see Readiness). Requests Apollo never
 * sees (unreadable JSON, a body too large, a non-JSON POST) still get a GraphQL-shaped error.
 */
export function createRequestListener<TContext extends BaseContext>(options: HttpOptions<TContext>): http.RequestListener {
  const limit = options.maxBodyBytes ?? 1_000_000;
  const cors = options.corsOrigins?.length ? createCors(options.corsOrigins) : undefined;
  const maxInFlight = options.maxInFlight ?? Infinity;
  let inFlight = 0;
  const lag = options.maxEventLoopDelayMs ? eventLoopLag() : undefined;
  const handlers = Object.entries(options.handlers ?? {});
  const handlerFor = (path: string) =>
    options.handlers?.[path] ?? handlers.filter(([prefix]) => prefix.endsWith('/') && path.startsWith(prefix)).sort(([a], [b]) => b.length - a.length)[0]?.[1];
  const overloaded = () => inFlight >= maxInFlight || (lag !== undefined && inFlight >= 4 && lag.ms() > options.maxEventLoopDelayMs!);
  const service = options.service ?? 'graphql';
  const shed = requestsShed.labels(service);

  /** The access log line and the request metrics, once the response is out (or the client went away). */
  const account = (req: http.IncomingMessage, res: http.ServerResponse, path: string, scope: RequestScope, started: number) => {
    const ms = performance.now() - started;
    const operation = path === '/graphql' ? operationLabel(scope.operation) : '-';
    requestTimer(service, operation, String(res.statusCode)).observe(ms / 1000);
    options.logger?.info(
      {
        requestId: scope.id,
        method: req.method,
        path,
        caller: scope.caller ?? 'unauthenticated',
        operation: scope.operation,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      'request',
    );
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Every response says which request it was, the client's id when it sent a usable one.
    const scope: RequestScope = { id: requestIdFrom(req.headers[REQUEST_ID_HEADER]) };
    res.setHeader(REQUEST_ID_HEADER, scope.id);
    if (!UNLOGGED.has(url.pathname)) {
      const started = performance.now();
      res.once('close', () => account(req, res, url.pathname, scope, started));
    }
    return requestScope.run(scope, () => withoutUnsampledSpan(scope, () => handle(req, res, url, scope)));
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, scope: RequestScope) {
    try {
      if (cors?.(req, res)) return;
      if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const { status, body } = await readinessOf(options.readiness ?? {});
        return json(res, status, body);
      }
      const handler = handlers.length ? handlerFor(url.pathname) : undefined;
      if (handler) return await handler(req, res, url);
      const route = options.routes?.[url.pathname];
      if (route) {
        if (req.method !== 'POST') return json(res, 405, { error: 'POST only' }, { allow: 'POST' });
        const answer = await route(await readBody(req, limit), req);
        return json(res, answer.status, answer.body);
      }
      if (url.pathname !== '/graphql') return json(res, 404, { error: 'not found; the GraphQL endpoint is /graphql' });
      if (req.method !== 'GET' && req.method !== 'POST') {
        return graphqlError(res, 405, 'BAD_REQUEST', 'GraphQL is served over GET and POST', { allow: 'GET, POST' });
      }
      let body: unknown;
      let raw: string | undefined;
      if (req.method === 'POST') {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (type !== 'application/json' && type !== 'application/graphql-response+json') {
          return graphqlError(res, 415, 'BAD_REQUEST', 'POST requests must have Content-Type: application/json');
        }
        // The whole body before a place in flight: a client sending slowly holds its socket (until the
        // server's request timeout, see listen), never a place others need.
        raw = await readBody(req, limit);
      }
      // Load shedding: past capacity a fast refusal beats every request timing out; it recovers as load falls.
      if (overloaded()) {
        shed.inc();
        return graphqlError(res, 503, 'OVERLOADED', 'The service is at capacity; retry shortly', { 'retry-after': '1' });
      }
      inFlight++;
      res.once('close', () => inFlight--);
      if (raw !== undefined) {
        try {
          body = JSON.parse(raw);
        } catch {
          return graphqlError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
        }
      }
      const named = req.method === 'POST' ? (body as { operationName?: unknown } | null)?.operationName : url.searchParams.get('operationName');
      // The metrics take only the named set; the log the name as sent (see loggedName).
      if (typeof named === 'string') scope.operation = loggedName(named);
      if (options.answerEarly && body !== undefined) {
        const answerEarly = () => options.answerEarly!(req, body);
        const early = await (options.scope ? options.scope(req, answerEarly) : answerEarly());
        if (early) {
          if (early.operation) scope.operation = early.operation;
          for (const [key, value] of Object.entries(early.headers)) res.setHeader(key, value);
          res.statusCode = early.status;
          return void res.end(early.body);
        }
      }

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const context: ContextThunk<TContext> = () => options.context(req, body);
      const execute = () =>
        options.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
          context,
        });
      const response = await (options.scope ? options.scope(req, execute) : execute());
      for (const [key, value] of response.headers) res.setHeader(key, key === 'vary' && res.hasHeader('vary') ? `${res.getHeader('vary')}, ${value}` : value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') return void res.end(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return graphqlError(res, 413, 'BAD_REQUEST', `The request body is larger than ${limit} bytes`, { connection: 'close' });
      }
      if (!res.headersSent) return graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      res.destroy();
    }
  }
}

/** The event loop's delay (p99 over the last half second, in ms), sampled without keeping the process alive. */
function eventLoopLag() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = 0;
  setInterval(() => {
    last = histogram.percentile(99) / 1e6;
    histogram.reset();
  }, 500).unref();
  return { ms: () => last };
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** How long in-flight requests may take to finish on close, by default (the manifests' terminationGracePeriodSeconds allow for it). */
export const DRAIN_GRACE_MS = 10_000;

export interface ListenOptions {
  /** How long in-flight requests may take to finish on close (DRAIN_GRACE_MS). */
  graceMs?: number;
  /** How long a client has to send a request's headers and its body (Node's own defaults: 60 s and 300 s). */
  readTimeoutMs?: number;
  /** Connections one remote address may hold open at once; more are closed at once. */
  maxConnectionsPerAddress?: number;
}

/**
 * Listens on host:port (port 0 picks a free one) and closes gracefully: no new connections,
 * in-flight requests finish (for at most `graceMs`), keep-alive connections close as they go idle.
 * A client that sends its request slowly is cut off after `readTimeoutMs` (408), and one address
 * cannot hold more than `maxConnectionsPerAddress` connections.
 */
export async function listen(listener: http.RequestListener, port: number, host: string, options: ListenOptions = {}): Promise<RunningServer> {
  const { graceMs = DRAIN_GRACE_MS, readTimeoutMs = 10_000, maxConnectionsPerAddress = Infinity } = options;
  const server = http.createServer(
    // Node checks these timeouts every connectionsCheckingInterval (30 s by default): a tenth of the timeout here.
    { headersTimeout: readTimeoutMs, requestTimeout: readTimeoutMs, connectionsCheckingInterval: Math.min(1_000, Math.ceil(readTimeoutMs / 10)) },
    listener,
  );
  server.keepAliveTimeout = 65_000;
  if (maxConnectionsPerAddress < Infinity) {
    const held = new Map<string, number>();
    server.on('connection', (socket) => {
      const address = socket.remoteAddress ?? '';
      const count = held.get(address) ?? 0;
      if (count >= maxConnectionsPerAddress) return void socket.destroy();
      held.set(address, count + 1);
      socket.once('close', () => {
        const left = held.get(address)! - 1;
        if (left) held.set(address, left);
        else held.delete(address);
      });
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/graphql`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        // A connection busy now goes idle once its response is out: close it then.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Ports free on the host right now, all different (for services that must know each other's ports before listening). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = http.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
      return server;
    }),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
