import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { callerKeyOf, type Viewer } from '../subgraphs/shared/auth';
import { createMemoryCache } from '../subgraphs/shared/cache';
import { createLogger } from '../subgraphs/shared/logger';
import type { AuditedReads } from './audit';
import { operationId } from './persisted';
import { createResponseCache, noteFetch, openAnswerPolicy, type ResponseCacheContext } from './response-cache';
import type { GatewayContext } from './server';
import { createWarmHits } from './warm-hits';

const ORDER = 'query Order($id: ID!) { order(id: $id) { id status } }';
const agent: Viewer = { kind: 'agent', id: 'voice-1', channel: 'VOICE', customerId: 'cus_1' };

const started: ApolloServer<ResponseCacheContext>[] = [];
afterEach(() => Promise.all(started.splice(0).map((server) => server.stop())));

/**
 * The response cache's plugin in a real Apollo server (its one resolver stands for the subgraph
 * fetches, reporting a profile read), and the warm hits over the same cache: what the pipeline
 * stored, the listener must find under the same key.
 */
async function setup(options: { auditFails?: boolean; held?: boolean } = {}) {
  const executions: unknown[] = [];
  const written: { viewer: Viewer; reads: AuditedReads }[] = [];
  const answers = createResponseCache<ResponseCacheContext>({
    invalidations: createMemoryCache(100),
    refresh: async () => undefined,
    logger: createLogger('test', 'silent'),
  });
  const server = new ApolloServer<ResponseCacheContext>({
    typeDefs: 'type Query { order(id: ID!): Order } type Order { id: ID! status: String! }',
    resolvers: {
      Query: {
        order: (_: unknown, { id }: { id: string }, ctx: ResponseCacheContext) => {
          executions.push(id);
          ctx.answer = noteFetch(ctx.answer, { cache: { maxAge: 30, tags: ['order:1'] } }, null);
          ctx.audit.push({ customerId: 'cus_1', fields: ['firstName'] });
          return { id, status: 'PLACED' };
        },
      },
    },
    plugins: [answers.plugin],
  });
  await server.start();
  started.push(server);
  const context = (viewer = agent): ResponseCacheContext => ({ fresh: false, callerKey: callerKeyOf(viewer), audit: [], stale: [], answer: openAnswerPolicy() });
  /** Through the pipeline, as the gateway's Apollo server runs it. */
  const pipeline = async (variables: Record<string, unknown>, viewer = agent) => {
    const response = await server.executeOperation({ query: ORDER, operationName: 'Order', variables }, { contextValue: context(viewer) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return `${JSON.stringify(response.body.singleResult)}\n`;
  };
  const warm = createWarmHits({
    answers: answers as never,
    record: async (viewer, reads) => {
      if (options.auditFails) throw new Error('the CRM is down');
      written.push({ viewer, reads });
    },
    hold: () => (options.held ? null : () => undefined),
    operations: { Order: ORDER },
  });
  /** Straight from the listener: the request's headers, its parsed body, its verified caller. */
  const early = (body: unknown, viewer = agent, headers: Record<string, string> = {}) =>
    warm({ headers } as IncomingMessage, body, viewer, () => context(viewer) as GatewayContext);
  return { executions, written, pipeline, early };
}

describe('warm whole answers before the GraphQL pipeline', () => {
  it('answers what the pipeline stored with its bytes, by persisted id or exact text, and writes the audit entry each time', async () => {
    const t = await setup();
    const bytes = await t.pipeline({ id: '1' });
    const byId = await t.early({ operationName: 'Order', variables: { id: '1' }, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(ORDER) } } });
    const byText = await t.early({ query: ORDER, operationName: 'Order', variables: { id: '1' } });
    for (const answer of [byId, byText]) {
      expect(answer).toEqual({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', age: expect.stringMatching(/^\d+$/) }, body: bytes, operation: 'Order' });
    }
    expect(t.executions).toEqual(['1']);
    expect(t.written).toEqual([
      { viewer: agent, reads: [{ customerId: 'cus_1', fields: ['firstName'] }] },
      { viewer: agent, reads: [{ customerId: 'cus_1', fields: ['firstName'] }] },
    ]);
  });

  it('leaves to the pipeline what the request alone does not decide: another caller, other variables, no-cache, another media type, an unknown or mismatched operation', async () => {
    const t = await setup();
    await t.pipeline({ id: '1' });
    const body = { query: ORDER, operationName: 'Order', variables: { id: '1' } };
    expect(await t.early(body, { ...agent, id: 'voice-2' })).toBeUndefined();
    expect(await t.early(body, { ...agent, customerId: 'cus_2' })).toBeUndefined();
    expect(await t.early({ ...body, variables: { id: '2' } })).toBeUndefined();
    expect(await t.early(body, agent, { 'cache-control': 'no-cache' })).toBeUndefined();
    expect(await t.early(body, agent, { accept: 'application/graphql-response+json' })).toBeUndefined();
    expect(await t.early({ ...body, query: `${ORDER} ` })).toBeUndefined();
    expect(await t.early({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash: operationId('query Other { x }') } } })).toBeUndefined();
    expect(await t.early({ ...body, extensions: { persistedQuery: { version: 2, sha256Hash: operationId(ORDER) } } })).toBeUndefined();
    expect(await t.early([body])).toBeUndefined();
    expect(t.written).toEqual([]);
  });

  it('withholds the answer when its audit entry cannot be written, as the pipeline does', async () => {
    const t = await setup({ auditFails: true });
    await t.pipeline({ id: '1' });
    const answer = await t.early({ query: ORDER, operationName: 'Order', variables: { id: '1' } });
    expect(JSON.parse(answer!.body)).toEqual({ errors: [{ message: 'The audit log is unavailable; try again', extensions: { code: 'BACKEND_UNAVAILABLE' } }] });
  });

  it('leaves a caller with no place left in flight to the pipeline’s refusal', async () => {
    const t = await setup({ held: true });
    await t.pipeline({ id: '1' });
    expect(await t.early({ query: ORDER, operationName: 'Order', variables: { id: '1' } })).toBeUndefined();
  });
});
