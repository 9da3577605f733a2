import { startTestStack, type TestStack } from '../helpers/stack';

/** GraphQL over HTTP as clients and proxies rely on it: methods, status codes, content types. */
describe('the gateway speaks GraphQL over HTTP', () => {
  let t: TestStack;
  const url = () => t.stack.url;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await startTestStack({ customers: 5 });
    auth = await t.asCustomer(t.data.customers[0].id);
  });
  afterAll(() => t?.close());

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(url(), { method: 'POST', headers: { ...auth, ...headers }, body });

  it('answers a POSTed query with 200 and JSON', async () => {
    const res = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()) as any).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a GET query (with a CSRF preflight header) and refuses a simple GET', async () => {
    const ok = await fetch(`${url()}?query=${encodeURIComponent('{ __typename }')}`, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { __typename: 'Query' } });
    const csrf = await fetch(`${url()}?query=${encodeURIComponent('{ __typename }')}`, { headers: auth });
    expect(csrf.status).toBe(400);
    expect(((await csrf.json()) as any).errors[0].message).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses a mutation over GET with 405', async () => {
    const res = await fetch(`${url()}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { ...auth, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });

  it('honours Accept: application/graphql-response+json', async () => {
    const res = await post(JSON.stringify({ query: '{ nope }' }), {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['unreadable JSON', '{"query": ', 400, 'BAD_REQUEST'],
    ['an empty object', '{}', 400, 'BAD_REQUEST'],
    ['a syntax error', JSON.stringify({ query: '{ customer(id: "x") { id }' }), 400, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', JSON.stringify({ query: '{ nope }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', JSON.stringify({ query: 'query ($id: ID!) { customer(id: $id) { id } }', variables: { id: { x: 1 } } }), 400, 'BAD_USER_INPUT'],
    ['a missing variable', JSON.stringify({ query: 'query ($id: ID!) { customer(id: $id) { id } }' }), 400, 'BAD_USER_INPUT'],
    ['several operations and no operationName', JSON.stringify({ query: 'query A { __typename } query B { __typename }' }), 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['an operationName not in the document', JSON.stringify({ query: '{ __typename }', operationName: '' }), 400, 'OPERATION_RESOLUTION_FAILURE'],
  ])('answers %s with %i and %s', async (_, body, status, code) => {
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe(code);
  });

  it('answers a non-JSON POST with 415', async () => {
    const res = await post('{ __typename }', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers other methods with 405', async () => {
    const res = await fetch(url(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(405);
  });

  it('answers a body over the limit with 413', async () => {
    const res = await post(JSON.stringify({ query: `{ __typename } #${'x'.repeat(1_100_000)}` }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('answers an unknown path with 404', async () => {
    const res = await fetch(new URL('/nope', url()));
    expect(res.status).toBe(404);
  });

  it('reports liveness and readiness on the gateway and every subgraph', async () => {
    for (const base of [url(), ...Object.values(t.stack.subgraphUrls)]) {
      const health = await fetch(new URL('/healthz', base));
      expect(health.status).toBe(200);
      const ready = await fetch(new URL('/readyz', base));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    }
  });
});
