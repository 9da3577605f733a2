import { listen, type RunningServer } from './http';
import { requestIdFrom } from './logger';
import { metricsHandler, operationLabel } from './metrics';

describe('metric labels', () => {
  it('names only the named operations, and a subgraph fetch by the client operation it serves; anything else is "other"', () => {
    expect(operationLabel('CustomerContext')).toBe('CustomerContext');
    expect(operationLabel('CustomerContext__customers__2')).toBe('CustomerContext');
    expect(operationLabel('MyOwnQuery')).toBe('other');
    expect(operationLabel('MyOwnQuery__orders__0')).toBe('other');
    expect(operationLabel(undefined)).toBe('other');
    expect(operationLabel('')).toBe('other');
  });
});

describe('request ids', () => {
  it('keeps a short id of safe characters and replaces anything else with a new one', () => {
    expect(requestIdFrom('01HZX3-turn.7:a_b')).toBe('01HZX3-turn.7:a_b');
    for (const unsafe of ['with space', 'line\nbreak', '"quoted"', 'x'.repeat(65), '']) expect(requestIdFrom(unsafe)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('GET /metrics', () => {
  let open: RunningServer | undefined;
  afterEach(() => open?.close());
  const serve = async (token?: string) => {
    const handler = metricsHandler(token);
    open = await listen((req, res) => void handler(req, res), 0, '127.0.0.1');
    return open.url.replace('/graphql', '/metrics');
  };

  it('answers any scraper in the Prometheus text format when no METRICS_TOKEN is set', async () => {
    const response = await fetch(await serve());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('# TYPE http_request_duration_seconds histogram');
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const url = await serve('scrape-token-0123456789');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } })).status).toBe(200);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });
});


describe('the Grafana dashboard (deploy/grafana/customer-context.json)', () => {
  it('queries only metrics the services export', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { registry } = await import('./metrics');
    const dashboard = JSON.parse(readFileSync(join(__dirname, '../../deploy/grafana/customer-context.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    // What is left of a query without its label lists, matchers and ranges: metric names and functions.
    const names = (expr: string) => [...expr.replace(/by \([^)]*\)|\{[^}]*\}|\[[^\]]*\]/g, ' ').matchAll(/\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?!\s*\()/g)].map((m) => m[1]);
    const queried = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => names(t.expr));
    expect(queried.length).toBeGreaterThan(10);
    expect(queried.map((name) => name.replace(/_(bucket|count|sum)$/, '')).filter((name) => !exported.has(name))).toEqual([]);
  });
});
