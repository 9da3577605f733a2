import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryCache } from '../subgraphs/shared/cache';
import { createLogger } from '../subgraphs/shared/logger';
import { createCachingFetcher } from './fetch-cache';
import { createSubgraphFetcher } from './fetcher';

/** A stand-in subgraph on loopback that answers with the cache policy each test gives it. */
async function subgraph(policy: (body: string) => unknown) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { n: seen.length }, extensions: { cache: policy(body) } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen, close: () => new Promise((r) => server.close(r)) };
}

describe('the gateway’s subgraph response cache', () => {
  const invalidations = createMemoryCache(100);
  const fetcher = createCachingFetcher({ fetch: createSubgraphFetcher({ timeoutMs: () => 2_000 }), invalidations, logger: createLogger('test', 'silent') });
  const post = (url: string, body: object, headers: Record<string, string> = {}) =>
    fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);

  it('reuses a cacheable answer for the same request, and asks again for another', async () => {
    const s = await subgraph(() => ({ maxAge: 30, tags: ['order:1'] }));
    const q = { query: 'query { order { id } }', variables: { id: '1' } };
    expect((await post(s.url, q)).data.n).toBe(1);
    expect((await post(s.url, q)).data.n).toBe(1);
    expect((await post(s.url, { ...q, variables: { id: '2' } })).data.n).toBe(2);
    expect(s.seen).toHaveLength(2);
    await s.close();
  });

  it('drops the answer when one of its tags is invalidated', async () => {
    const s = await subgraph(() => ({ maxAge: 30, tags: ['order:7', 'customer:3'] }));
    const q = { query: 'query { a }' };
    await post(s.url, q);
    await invalidations.invalidateTags(['customer:3']);
    expect((await post(s.url, q)).data.n).toBe(2);
    await s.close();
  });

  it('never caches what says maxAge 0, a mutation, or a request that asked for fresh data', async () => {
    const s = await subgraph((body) => (body.includes('uncacheable') ? { maxAge: 0 } : { maxAge: 30, tags: [] }));
    await post(s.url, { query: 'query { uncacheable }' });
    await post(s.url, { query: 'query { uncacheable }' });
    await post(s.url, { query: 'mutation { write }' });
    await post(s.url, { query: 'mutation { write }' });
    await post(s.url, { query: 'query { b }' }, { 'cache-control': 'no-cache' });
    await post(s.url, { query: 'query { b }' }, { 'cache-control': 'no-cache' });
    expect(s.seen).toHaveLength(6);
    await s.close();
  });

  it('serves an answer near its expiry and refreshes it in the background, once', async () => {
    const s = await subgraph(() => ({ maxAge: 2, tags: [] }));
    expect((await post(s.url, { query: 'query { hot }' })).data.n).toBe(1);
    await new Promise((r) => setTimeout(r, 1_600));
    const [a, b] = await Promise.all([post(s.url, { query: 'query { hot }' }), post(s.url, { query: 'query { hot }' })]);
    expect([a.data.n, b.data.n]).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.seen).toHaveLength(2);
    expect((await post(s.url, { query: 'query { hot }' })).data.n).toBe(2);
    await s.close();
  });

  it('takes only answers fresh N s more for a min-fresh request (a refresh ahead), and says how old a reused answer is', async () => {
    const s = await subgraph(() => ({ maxAge: 30, tags: [] }));
    const q = JSON.stringify({ query: 'query { d }' });
    const send = (headers: Record<string, string> = {}) => fetcher(s.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: q });
    expect((await send()).headers.get('age')).toBeNull();
    const reused = await send();
    expect(reused.headers.get('age')).toBe('1'); // whole seconds, rounded up: never younger than it is
    expect(((await (await send({ 'cache-control': 'min-fresh=10' })).json()) as any).data.n).toBe(1);
    expect(((await (await send({ 'cache-control': 'min-fresh=60' })).json()) as any).data.n).toBe(2);
    expect(((await (await send()).json()) as any).data.n).toBe(2);
    expect(s.seen).toHaveLength(2);
    await s.close();
  });

  it('forgets an answer after its maxAge', async () => {
    const s = await subgraph(() => ({ maxAge: 1, tags: [] }));
    await post(s.url, { query: 'query { c }' });
    await new Promise((r) => setTimeout(r, 1_100));
    await post(s.url, { query: 'query { c }' });
    expect(s.seen).toHaveLength(2);
    await s.close();
  });
});
