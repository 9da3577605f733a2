import { readdirSync } from 'node:fs';
import type http from 'node:http';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics, one registry per process (the in-process stack shares it, hence
 * the `service` label). Every label takes values from a closed set: operation names from
 * schema/operations (else "other"), subgraph and cache type names from the code, statuses, channels.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

// Milliseconds to seconds: the warm turn is 1-5 ms, a cold one tens, a time-out seconds.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Handoffs wait minutes to days.
const HANDOFF_BUCKETS = [60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 86_400, 3 * 86_400, 7 * 86_400];

const registers = [registry];

export const requestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Requests answered, by service, named operation ("other" for any other, "-" for non-GraphQL paths) and HTTP status; _count is the request count',
  labelNames: ['service', 'operation', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});
export const requestsShed = new Counter({ name: 'http_requests_shed_total', help: 'Requests refused at once with 503 OVERLOADED (in-flight limit or event-loop lag)', labelNames: ['service'] as const, registers });
export const subgraphFetches = new Counter({
  name: 'subgraph_fetches_total',
  help: 'Gateway fetches to subgraphs by outcome: ok, error (5xx), timeout, unavailable, circuit_open; and cached, stale (answered by the gateway cache)',
  labelNames: ['subgraph', 'outcome'] as const,
  registers,
});
export const subgraphFetchDuration = new Histogram({ name: 'subgraph_fetch_duration_seconds', help: 'Gateway fetches to subgraphs that went over the network', labelNames: ['subgraph'] as const, buckets: LATENCY_BUCKETS, registers });
export const cacheLookups = new Counter({
  name: 'cache_lookups_total',
  help: 'Cache lookups by cache (entity: the subgraphs\' Redis/memory cache; fetch: subgraph answers at the gateway; response: whole answers at the gateway), type and result (hit, miss, stale)',
  labelNames: ['cache', 'type', 'result'] as const,
  registers,
});
export const breakerState = new Gauge({ name: 'circuit_breaker_state', help: 'Circuit breaker state: 0 closed, 1 open, 2 half-open; kind backend (a subgraph\'s system) or subgraph (the gateway\'s)', labelNames: ['kind', 'target'] as const, registers });
export const outboxLag = new Gauge({ name: 'outbox_lag_seconds', help: 'Age of the oldest change in the last outbox batch delivered (0 when the outbox was empty)', labelNames: ['service'] as const, registers });
export const invalidationLag = new Histogram({
  name: 'invalidation_lag_seconds',
  help: 'From a change to its invalidation reaching every replica, by source: outbox (commit), events (the event\'s occurredAt, else its receipt), webhook (its receipt)',
  labelNames: ['service', 'source'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});
export const handoffToAccept = new Histogram({ name: 'handoff_time_to_accept_seconds', help: 'From a handoff opened to its acceptance, by the channel it came from and went to', labelNames: ['from_channel', 'to_channel'] as const, buckets: HANDOFF_BUCKETS, registers });
export const handoffToResolve = new Histogram({ name: 'handoff_time_to_resolve_seconds', help: 'From a handoff opened to its resolution, by the channel it came from and went to', labelNames: ['from_channel', 'to_channel'] as const, buckets: HANDOFF_BUCKETS, registers });

/**
 * A metric's label children, cached by their values: prom-client's own `labels()` hashes an object
 * on every call, which the hot path does not need to pay.
 */
export function children<C>(labels: (...values: string[]) => C): (...values: string[]) => C {
  const made = new Map<string, C>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = made.get(key);
    if (!child) made.set(key, (child = labels(...values)));
    return child;
  };
}

export const requestTimer = children((service, operation, status) => requestDuration.labels(service, operation, status));
export const fetchOutcome = children((subgraph, outcome) => subgraphFetches.labels(subgraph, outcome));
export const fetchTimer = children((subgraph) => subgraphFetchDuration.labels(subgraph));
export const cacheResult = children((cache, type, result) => cacheLookups.labels(cache, type, result));

const OPERATIONS_DIR = join(__dirname, '../../schema/operations');
const NAMED = new Set(readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql')).map((f) => f.slice(0, -'.graphql'.length)));

/**
 * An operation name as a label: one of the named operations, or "other". A subgraph sees the
 * gateway's names for its fetches (`CustomerContext__customers__0`), counted as the client's operation.
 */
export function operationLabel(name: unknown): string {
  if (typeof name !== 'string' || !name) return 'other';
  const cut = name.indexOf('__');
  const client = cut > 0 ? name.slice(0, cut) : name;
  return NAMED.has(client) ? client : 'other';
}

/** cockatiel's CircuitState (Closed 0, Open 1, HalfOpen 2, Isolated 3), isolated counted as open. */
export const setBreakerState = (kind: 'backend' | 'subgraph', target: string, state: number) => breakerState.labels(kind, target).set(state === 3 ? 1 : state);

/**
 * GET /metrics in Prometheus's text format. No caller token: scrapers are not callers. With a
 * METRICS_TOKEN it asks for `Authorization: Bearer <token>` (a scrape across a network not the cluster's own).
 */
export function metricsHandler(token?: string) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('METRICS_TOKEN required\n');
        return;
      }
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
