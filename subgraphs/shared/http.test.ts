import type { ApolloServer } from '@apollo/server';
import { createRequestListener, listen, type RunningServer } from './http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};

/** A GraphQL server stand-in whose every request takes the CPU for 60 ms: more than one process can do at this rate. */
const cpuBound = {
  executeHTTPGraphQLRequest: async () => {
    await sleep(5);
    busy(60);
    return { status: 200, headers: new Map(), body: { kind: 'complete', string: '{"data":{}}' } };
  },
} as unknown as ApolloServer;

describe('load shedding on event-loop delay', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(createRequestListener({ apollo: cpuBound, context: async () => ({}), maxEventLoopDelayMs: 50 }), 0, '127.0.0.1');
  });
  afterAll(() => server?.close());

  const ask = () => fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ x }"}' });

  it('refuses with 503 OVERLOADED while the loop lags under concurrent load, and serves again once it is idle', async () => {
    const statuses: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 2_000) {
      const wave = await Promise.all(Array.from({ length: 8 }, ask));
      for (const r of wave) {
        statuses.push(r.status);
        if (r.status === 503) {
          expect(r.headers.get('retry-after')).toBe('1');
          expect(((await r.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('OVERLOADED');
        } else await r.text();
      }
    }
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    await sleep(1_200);
    expect((await ask()).status).toBe(200);
  });
});

describe('/readyz: can the service serve', () => {
  const up = async () => undefined;
  const down = async () => {
    throw new Error('connection refused');
  };
  const hangs = () => new Promise<never>(() => undefined);
  const readyz = async (readiness: Parameters<typeof createRequestListener>[0]['readiness']) => {
    const server = await listen(createRequestListener({ apollo: cpuBound, context: async () => ({}), readiness }), 0, '127.0.0.1');
    try {
      const res = await fetch(new URL('/readyz', server.url));
      return { status: res.status, body: await res.json() };
    } finally {
      await server.close();
    }
  };

  it('is ready while every check answers', async () => {
    expect(await readyz({ required: { database: up }, optional: { cache: up } })).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', cache: 'up' } } });
  });

  it('stays ready, degraded, when a dependency it runs without is down', async () => {
    expect(await readyz({ required: { database: up }, optional: { cache: down } })).toEqual({ status: 200, body: { status: 'degraded', checks: { database: 'up', cache: 'down' } } });
  });

  it('is unavailable (503) when a dependency it cannot serve without is down', async () => {
    expect(await readyz({ required: { database: down, backend: up }, optional: { cache: down } })).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { database: 'down', backend: 'up', cache: 'down' } },
    });
  });

  it('counts a check that hangs as down, and answers before a probe’s timeout', async () => {
    const started = Date.now();
    expect(await readyz({ required: { database: hangs } })).toEqual({ status: 503, body: { status: 'unavailable', checks: { database: 'down' } } });
    // READINESS_TIMEOUT_MS (1.5 s) plus a loaded machine's slack: under the manifests' 3 s probe timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
