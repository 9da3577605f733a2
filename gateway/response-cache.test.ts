import { ApolloServer } from '@apollo/server';
import { createMemoryCache } from '../subgraphs/shared/cache';
import { createLogger } from '../subgraphs/shared/logger';
import { createResponseCache, noteFetch, openAnswerPolicy, type ResponseCacheContext } from './response-cache';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Servers a test started, stopped after it whatever it asserted. */
const started: ApolloServer<ResponseCacheContext>[] = [];
afterEach(() => Promise.all(started.splice(0).map((server) => server.stop())));

/**
 * A started server whose one resolver stands for the gateway's subgraph fetches: each execution
 * counts, reports a part (maxAge, tags) as a fetch would, and a profile read for the audit log.
 */
async function setup(part: { maxAge: number; tags: string[] } = { maxAge: 30, tags: ['customer:1'] }) {
  const invalidations = createMemoryCache(100);
  const executions: { refreshAhead?: number }[] = [];
  let status = 'PLACED';
  let fails = false;
  const server: ApolloServer<ResponseCacheContext> = new ApolloServer<ResponseCacheContext>({
    typeDefs: 'type Query { order(id: ID!): Order } type Order { id: ID! status: String! }',
    resolvers: {
      Query: {
        order: async (_: unknown, { id }: { id: string }, ctx: ResponseCacheContext) => {
          executions.push({ refreshAhead: ctx.refreshAhead });
          await sleep(10); // a fetch takes time
          if (fails) throw new Error('backend down');
          ctx.answer = noteFetch(ctx.answer, { cache: part }, null);
          ctx.audit.push({ customerId: '1', fields: ['firstName'] });
          return { id, status };
        },
      },
    },
    plugins: [
      createResponseCache<ResponseCacheContext>({
        invalidations,
        refresh: (request, context, minFreshSeconds) =>
          server.executeOperation(request, { contextValue: { ...context, audit: [], stale: [], answer: openAnswerPolicy(), refreshAhead: minFreshSeconds } }),
        logger: createLogger('test', 'silent'),
      }).plugin,
    ],
  });
  const context = (callerKey = 'agent-a', fresh = false): ResponseCacheContext => ({ fresh, callerKey, audit: [], stale: [], answer: openAnswerPolicy() });
  const ask = async (contextValue = context(), id = '1', query = 'query Order($id: ID!) { order(id: $id) { id status } }') => {
    const response = await server.executeOperation({ query, variables: { id } }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { result: response.body.singleResult, audit: contextValue.audit };
  };
  await server.start();
  started.push(server);
  return {
    invalidations,
    executions,
    ask,
    context,
    set: (s: string) => (status = s),
    fail: (f: boolean) => (fails = f),
  };
}

describe('the gateway’s cache of whole answers', () => {
  it('answers a repeated query from the cache, and still reports its profile reads for the audit log', async () => {
    const t = await setup();
    expect((await t.ask()).result.data).toEqual({ order: { id: '1', status: 'PLACED' } });
    const again = await t.ask();
    expect(again.result.data).toEqual({ order: { id: '1', status: 'PLACED' } });
    expect(again.audit).toEqual([{ customerId: '1', fields: ['firstName'] }]);
    expect(t.executions).toHaveLength(1);
  });

  it('keys by caller and variables: another caller or argument is answered anew', async () => {
    const t = await setup();
    await t.ask(t.context('agent-a'), '1');
    await t.ask(t.context('agent-b'), '1');
    await t.ask(t.context('agent-a'), '2');
    await t.ask(t.context('agent-a'), '1');
    expect(t.executions).toHaveLength(3);
  });

  it('drops an answer when a tag of one of its parts is invalidated, so the next turn shows the change', async () => {
    const t = await setup();
    await t.ask();
    t.set('SHIPPED');
    expect((await t.ask()).result.data).toEqual({ order: { id: '1', status: 'PLACED' } });
    await t.invalidations.invalidateTags(['customer:1']);
    expect((await t.ask()).result.data).toEqual({ order: { id: '1', status: 'SHIPPED' } });
  });

  it('does not keep an answer read across an invalidation of its tags', async () => {
    const t = await setup();
    const context = t.context();
    const reading = t.ask(context);
    await sleep(5);
    await t.invalidations.invalidateTags(['customer:1']); // lands while the request is in flight
    await reading;
    await t.ask();
    expect(t.executions).toHaveLength(2);
  });

  it('never stores errors, parts that may not be reused, or answers to clients that asked for fresh data', async () => {
    const uncacheable = await setup({ maxAge: 0, tags: [] });
    await uncacheable.ask();
    await uncacheable.ask();
    await uncacheable.ask(uncacheable.context('agent-a', true));
    expect(uncacheable.executions).toHaveLength(3);

    const failing = await setup();
    failing.fail(true);
    expect((await failing.ask()).result.errors).toHaveLength(1);
    failing.fail(false);
    expect((await failing.ask()).result.data).toEqual({ order: { id: '1', status: 'PLACED' } });
    await failing.ask(failing.context('agent-a', true));
    expect(failing.executions).toHaveLength(3);
  });

  it('serves an answer near its expiry and refreshes it once in the background, asking its parts to stay fresh a whole life more', async () => {
    const t = await setup({ maxAge: 2, tags: ['customer:1'] });
    await t.ask();
    t.set('SHIPPED');
    await sleep(1_600); // past 80% of its 2 s: due for a refresh
    const turns = await Promise.all([t.ask(), t.ask()]);
    expect(turns.map((turn) => turn.result.data)).toEqual([{ order: { id: '1', status: 'PLACED' } }, { order: { id: '1', status: 'PLACED' } }]);
    await sleep(50);
    expect(t.executions).toEqual([{ refreshAhead: undefined }, { refreshAhead: 2 }]);
    expect((await t.ask()).result.data).toEqual({ order: { id: '1', status: 'SHIPPED' } });
    expect(t.executions).toHaveLength(2);
  });

  it('refreshes a caller who takes frequent turns at the last turn before expiry, not at half its life', async () => {
    const t = await setup({ maxAge: 4, tags: ['customer:1'] });
    const started = Date.now();
    await t.ask();
    // A turn every 200 ms: the refresh is due once a turn is 1.5 to 2.5 turns from expiry (3.5 s on).
    while (Date.now() - started < 3_200) {
      await sleep(200);
      await t.ask();
    }
    expect(t.executions).toHaveLength(1);
    while (Date.now() - started < 3_850) {
      await sleep(200);
      await t.ask();
    }
    await sleep(50);
    expect(t.executions).toEqual([{ refreshAhead: undefined }, { refreshAhead: 4 }]);
  });

  it('forgets an answer once its shortest-lived part expires', async () => {
    const t = await setup({ maxAge: 1, tags: [] });
    await t.ask();
    await sleep(1_100);
    await t.ask();
    expect(t.executions).toHaveLength(2);
  });
});
