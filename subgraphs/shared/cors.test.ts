import type { ApolloServer } from '@apollo/server';
import { createRequestListener, listen, type RunningServer } from './http';

/** A GraphQL server stand-in that answers as Apollo does, with a Vary header of its own. */
const apollo = {
  executeHTTPGraphQLRequest: async () => ({ status: 200, headers: new Map([['vary', 'Accept'], ['content-type', 'application/json']]), body: { kind: 'complete', string: '{"data":{}}' } }),
} as unknown as ApolloServer;

const PORTAL = 'https://portal.example.com';

describe('CORS on the gateway’s listener (CORS_ORIGINS)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(createRequestListener({ apollo, context: async () => ({}), corsOrigins: [PORTAL, 'http://localhost:5173'] }), 0, '127.0.0.1');
  });
  afterAll(() => server?.close());

  const preflight = (origin: string) =>
    fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization, x-verified-session' },
    });

  it('answers a listed origin’s preflight with 204, the methods and every header a client sends', async () => {
    const res = await preflight(PORTAL);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    const allowed = res.headers.get('access-control-allow-headers')!.split(', ');
    for (const header of ['content-type', 'authorization', 'x-verified-session', 'x-deadline-ms', 'apollo-require-preflight', 'traceparent', 'x-request-id']) expect(allowed).toContain(header);
    expect(res.headers.get('vary')).toBe('Origin');
    // Bearer tokens, never cookies: credentials are not allowed.
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives an origin not listed no CORS header at all, so its browser refuses the call', async () => {
    for (const origin of ['https://evil.example.com', 'https://portal.example.com.evil.com', 'http://portal.example.com']) {
      const res = await preflight(origin);
      expect([origin, res.status, res.headers.get('access-control-allow-origin'), res.headers.get('access-control-allow-headers')]).toEqual([origin, 204, null, null]);
    }
  });

  it('marks a listed origin’s answer as readable by it, and every answer as varying by Origin', async () => {
    const ask = (origin?: string) => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body: '{"query":"{ x }"}' });
    const listed = await ask(PORTAL);
    expect([listed.status, listed.headers.get('access-control-allow-origin')]).toEqual([200, PORTAL]);
    expect(listed.headers.get('access-control-expose-headers')).toContain('retry-after');
    // Apollo's own Vary is kept beside ours.
    expect(listed.headers.get('vary')).toBe('Origin, Accept');
    const other = await ask('https://evil.example.com');
    expect([other.status, other.headers.get('access-control-allow-origin'), other.headers.get('vary')]).toEqual([200, null, 'Origin, Accept']);
    const sameOrigin = await ask();
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off without an allow-list: a preflight is refused as before', async () => {
    // CORS_ORIGINS unset gives the gateway an empty list.
    const plain = await listen(createRequestListener({ apollo, context: async () => ({}), corsOrigins: [] }), 0, '127.0.0.1');
    try {
      const res = await fetch(plain.url, { method: 'OPTIONS', headers: { origin: PORTAL, 'access-control-request-method': 'POST' } });
      expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([405, null]);
    } finally {
      await plain.close();
    }
  });
});
