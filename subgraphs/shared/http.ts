import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextThunk } from '@apollo/server';

/** A plain JSON endpoint beside /graphql (POST only): the raw body in, a status and a JSON body out. */
export type Route = (rawBody: string, req: http.IncomingMessage) => Promise<{ status: number; body: unknown }>;

/**
 * An endpoint that answers the raw request itself (pages, streams, /metrics, /mcp): any method, its own
 * status and headers. Matched by exact path, or by a prefix that ends in '/' (`/desk/`).
 */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<void> | void;

/** A route's refusal: the status, and the error's code and message as JSON. */
export const routeError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message } } });

export interface HttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (DataLoaders, the caller), given the parsed body of a POST. */
  context: (req: http.IncomingMessage, body: unknown) => Promise<TContext>;
  /** Readiness checks by name (database, cache, subgraphs); each throws when its dependency is down. */
  readiness?: Record<string, () => Promise<unknown>>;
  maxBodyBytes?: number;
  /** Other POST endpoints by path (a subgraph's /events), given the raw body and the request. */
  routes?: Record<string, Route>;
  /** Endpoints that answer the raw request themselves, by path (see Handler). */
  handlers?: Record<string, Handler>;
  /**
   * Answers a GraphQL POST before Apollo sees it (the gateway's warm hits), or undefined to go on:
   * called once its body is parsed and it holds a place in flight, inside `scope`.
   */
  answerEarly?: (req: http.IncomingMessage, body: unknown) => Promise<{ status: number; headers: Record<string, string>; body: string } | undefined>;
  /** Runs the GraphQL request inside whatever per-request scope the service needs (fresh reads). */
  scope?: <T>(req: http.IncomingMessage, run: () => Promise<T>) => Promise<T>;
  /** GraphQL requests worked on at once; past it, a request is refused at once (503, Retry-After) rather than queued. */
  maxInFlight?: number;
  /**
   * Refuse as well while the event loop lags more than this (p99 over the last half second) with
   * requests in progress: the process is past its capacity, and queued work would only time out.
   */
  maxEventLoopDelayMs?: number;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
};

const graphqlError = (res: http.ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(res, status, { errors: [{ message, extensions: { code } }] }, headers);

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
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

/**
 * The node:http front of a subgraph or the gateway: /graphql through Apollo's HTTP API, plus
 * /healthz (the process is alive) and /readyz (its dependencies answer). Requests Apollo never
 * sees (unreadable JSON, a body too large, a non-JSON POST) still get a GraphQL-shaped error.
 */
export function createRequestListener<TContext extends BaseContext>(options: HttpOptions<TContext>): http.RequestListener {
  const limit = options.maxBodyBytes ?? 1_000_000;
  const readiness = Object.entries(options.readiness ?? {});
  const maxInFlight = options.maxInFlight ?? Infinity;
  let inFlight = 0;
  const lag = options.maxEventLoopDelayMs ? eventLoopLag() : undefined;
  const handlers = Object.entries(options.handlers ?? {});
  const handlerFor = (path: string) =>
    options.handlers?.[path] ?? handlers.filter(([prefix]) => prefix.endsWith('/') && path.startsWith(prefix)).sort(([a], [b]) => b.length - a.length)[0]?.[1];
  const overloaded = () => inFlight >= maxInFlight || (lag !== undefined && inFlight >= 4 && lag.ms() > options.maxEventLoopDelayMs!);

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const results = await Promise.allSettled(readiness.map(([, check]) => check()));
        const failed = readiness.filter((_, i) => results[i].status === 'rejected').map(([name]) => name);
        return json(res, failed.length ? 503 : 200, failed.length ? { status: 'unavailable', failed } : { status: 'ready' });
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
      if (options.answerEarly && body !== undefined) {
        const answerEarly = () => options.answerEarly!(req, body);
        const early = await (options.scope ? options.scope(req, answerEarly) : answerEarly());
        if (early) {
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
      for (const [key, value] of response.headers) res.setHeader(key, value);
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
  };
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

export interface ListenOptions {
  /** How long in-flight requests may take to finish on close. */
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
  const { graceMs = 10_000, readTimeoutMs = 10_000, maxConnectionsPerAddress = Infinity } = options;
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
