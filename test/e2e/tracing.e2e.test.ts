import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mintToken } from '../../gateway/auth';
import { loadOperations } from '../../schema/operations';
import { loadConfig } from '../../subgraphs/shared/config';
import { seedDemo } from '../fixtures/seed';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '../helpers/db';
import { freePorts, runEntry, type Child } from '../helpers/process';
import { todayUtc } from '../helpers/stack';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

// OTLP's SpanKind: 2 SERVER, 3 CLIENT.
const SERVER = 2;
const CLIENT = 3;

/**
 * The graph as `npm start` runs it (gateway and subgraphs over HTTP, on PostgreSQL and Redis), with
 * traces sent to a small OTLP/HTTP receiver in the test: one request is one trace, from the caller's
 * traceparent through the gateway's plan and fetches to the subgraphs, their SQL and Redis calls.
 */
describe('traces over OTLP', () => {
  const spans: Span[] = [];
  let receiver: http.Server;
  let graph: Child;
  let database: TestDatabase;
  let gatewayUrl: string;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const sent = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] };
          for (const resource of sent.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const [otlpPort, gatewayPort, ...subgraphPorts] = await freePorts(6);
    await new Promise<void>((resolve) => receiver.listen(otlpPort, '127.0.0.1', resolve));
    database = await createTestDatabase();
    await seedDemo(database.database.db, { customers: 10, anchor: todayUtc() });
    graph = runEntry('scripts/start.ts', {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      CACHE_NAMESPACE: `trace-${randomBytes(4).toString('hex')}`,
      SEED_ON_START: 'false',
      GATEWAY_PORT: String(gatewayPort),
      ORDERS_PORT: String(subgraphPorts[0]),
      CUSTOMERS_PORT: String(subgraphPorts[1]),
      PAYMENTS_PORT: String(subgraphPorts[2]),
      LOGISTICS_PORT: String(subgraphPorts[3]),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      // Batches sent every 100 ms: the test waits for its spans, not for the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await graph.waitFor(/customer-context graph ready/, 180_000);
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  }, 240_000);
  afterAll(async () => {
    await graph?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await database?.drop();
  });

  const inTrace = (traceId: string) => spans.filter((s) => s.traceId === traceId);
  const attribute = (span: Span, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;
  /** Waits until the trace has every span `ready` looks for (the exporter sends in batches). */
  const trace = async (traceId: string, ready: (spans: Span[]) => boolean) => {
    const until = Date.now() + 20_000;
    while (!ready(inTrace(traceId)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    return inTrace(traceId);
  };

  it("continues the caller's trace through the gateway's plan and fetches into each subgraph and its SQL and Redis calls", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const token = await mintToken({ role: 'customer', sub: 'cus_000004' }, loadConfig({}).auth);
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${parentId}-01` },
      body: JSON.stringify({ query: loadOperations().FirstLook, variables: { customerId: 'cus_000004' } }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: { customer?: { id: string } } };
    expect(body.errors).toBeUndefined();
    expect(body.data?.customer?.id).toBe('cus_000004');

    const sql = (s: Span) => attribute(s, 'db.system') === 'postgresql' || attribute(s, 'db.system.name') === 'postgresql';
    const redis = (s: Span) => attribute(s, 'db.system') === 'redis' || attribute(s, 'db.system.name') === 'redis';
    // The gateway's own spans end last, so they may come in a later batch than the subgraphs': wait for them too.
    const all = await trace(
      traceId,
      (list) =>
        list.some(sql) && list.some(redis) && list.filter((s) => s.kind === SERVER).length >= 5 && list.some((s) => s.kind === SERVER && s.parentSpanId === parentId) && list.some((s) => s.name === 'gateway.plan') && list.filter((s) => s.name === 'gateway.fetch').length >= 4,
    );
    const byId = new Map(all.map((s) => [s.spanId, s]));
    const servers = all.filter((s) => s.kind === SERVER);
    // The gateway's own span is the caller's span's child; each subgraph's is a child of the gateway's fetch.
    const root = servers.find((s) => s.parentSpanId === parentId);
    expect(root).toBeDefined();
    expect(all.some((s) => s.name === 'gateway.plan')).toBe(true);
    expect(all.filter((s) => s.name === 'gateway.fetch').length).toBeGreaterThanOrEqual(4);
    const subgraphServers = servers.filter((s) => s !== root);
    expect(subgraphServers.length).toBeGreaterThanOrEqual(4);
    for (const server of subgraphServers) expect(byId.get(server.parentSpanId!)?.kind).toBe(CLIENT);
    // SQL and Redis spans sit under a subgraph's server span.
    const ancestors = (span: Span) => {
      const chain: Span[] = [];
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) chain.push(at);
      return chain;
    };
    const statement = all.find(sql)!;
    expect(ancestors(statement)).toEqual(expect.arrayContaining([expect.objectContaining({ kind: SERVER, parentSpanId: expect.not.stringMatching(parentId) }), root]));
    expect(ancestors(all.find(redis)!)).toContain(root);
  });

  it('starts a trace of its own for a request without traceparent', async () => {
    const before = new Set(spans.map((s) => s.traceId));
    const token = await mintToken({ role: 'customer', sub: 'cus_000004' }, loadConfig({}).auth);
    await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: loadOperations().MyProfile, variables: { customerId: 'cus_000004', locale: 'en-GB' } }),
    });
    const until = Date.now() + 20_000;
    let fresh: Span[] = [];
    while (Date.now() < until && !(fresh = spans.filter((s) => !before.has(s.traceId) && s.kind === SERVER && !s.parentSpanId)).length) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fresh).toHaveLength(1);
    expect(inTrace(fresh[0].traceId).filter((s) => s.kind === SERVER).length).toBeGreaterThanOrEqual(2);
  });

  it('records nothing, in any service, for a request whose trace the caller did not sample', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500)); // the earlier tests' batches land first
    const before = spans.length;
    const traceId = randomBytes(16).toString('hex');
    const token = await mintToken({ role: 'customer', sub: 'cus_000006' }, loadConfig({}).auth);
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` },
      body: JSON.stringify({ query: loadOperations().FirstLook, variables: { customerId: 'cus_000006' } }),
    });
    const body = (await response.json()) as { errors?: unknown; data?: { customer?: { id: string } } };
    expect(body.data?.customer?.id).toBe('cus_000006');
    // Every subgraph, its SQL and Redis were reached (a customer never read before): none started a trace of its own.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(spans.slice(before).map((s) => s.name)).toEqual([]);
  });
});
