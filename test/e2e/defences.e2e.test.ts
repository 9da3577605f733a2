import http from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { parse, validate } from 'graphql';
import { OPERATION_LIMITS, operationLimits } from '../../gateway/server';
import { operationId } from '../../gateway/persisted';
import { loadApiSchema, loadOperations } from '../../schema/operations';
import { signViewer, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { startTestStack, type TestStack } from '../helpers/stack';

const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;

/** The graph's own defences: callers proven by tokens, subgraphs that answer only the gateway, limits on what one request may ask. */
describe('the graph’s own defences', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 5, env: { RATE_LIMITS: 'customer=5,agent=2000,operations=50' } });
  });
  afterAll(() => t?.close());

  const POLICY = { category: 'shoes', country: 'DE' };

  describe('tokens', () => {
    const sign = (claims: Record<string, unknown>, options: { secret?: string; issuer?: string; audience?: string; exp?: string | number } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('cus_000001')
        .setIssuer(options.issuer ?? t.stack.config.auth.issuer)
        .setAudience(options.audience ?? t.stack.config.auth.audience)
        .setExpirationTime(options.exp ?? '5m')
        .sign(new TextEncoder().encode(options.secret ?? t.stack.config.auth.jwtSecret));
    const asBearer = async (token: string) => ({ authorization: `Bearer ${token}` });

    it.each([
      ['no token', async () => ({}), 401, 'UNAUTHENTICATED'],
      ['a malformed header', async () => ({ authorization: 'Basic abc' }), 401, 'UNAUTHENTICATED'],
      ['another secret', () => sign({ role: 'customer' }, { secret: 'x'.repeat(40) }).then(asBearer), 401, 'UNAUTHENTICATED'],
      ['another issuer', () => sign({ role: 'customer' }, { issuer: 'someone-else' }).then(asBearer), 401, 'UNAUTHENTICATED'],
      ['another audience', () => sign({ role: 'customer' }, { audience: 'another-api' }).then(asBearer), 401, 'UNAUTHENTICATED'],
      ['an expired token', () => sign({ role: 'customer' }, { exp: Math.floor(Date.now() / 1000) - 60 }).then(asBearer), 401, 'UNAUTHENTICATED'],
      ['an unknown role', () => sign({ role: 'admin' }).then(asBearer), 403, 'FORBIDDEN'],
      ['an agent without a channel', () => sign({ role: 'agent' }).then(asBearer), 403, 'FORBIDDEN'],
    ])('refuses %s', async (_, headers, status, code) => {
      const { status: got, body } = await t.operation('ReturnPolicy', POLICY, await headers());
      expect([got, codeOf(body)]).toEqual([status, code]);
      expect(body.data).toBeUndefined();
    });
  });

  describe('subgraph trust', () => {
    const direct = (headers: Record<string, string>) =>
      fetch(t.stack.subgraphUrls.customers, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: `{ customer(id: "${t.data.customers[0].id}") { lastName } }` }),
      });

    it('refuses a direct call without the gateway’s signature, or with a forged one', async () => {
      const forged = signViewer({ kind: 'service', id: 'unrestricted' }, 'not-the-gateway-secret-but-long-enough', { audience: 'customers', requestId: 'forged' });
      for (const headers of [{}, { [VIEWER_HEADER]: forged }, { [VIEWER_HEADER]: 'eyJraW5kIjoic2VydmljZSJ9.abc' }] as Record<string, string>[]) {
        const res = await direct(headers);
        expect(res.status).toBe(401);
        const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
        expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        expect(JSON.stringify(body)).not.toContain(t.data.customers[0].lastName);
      }
    });

    it('answers a request signed with the gateway secret, as the caller it names', async () => {
      const signed = signViewer({ kind: 'customer', id: t.data.customers[0].id }, t.stack.config.gatewaySecret, { audience: 'customers', requestId: 'test' });
      const body = (await (await direct({ [VIEWER_HEADER]: signed })).json()) as { data: { customer: { lastName: string } } };
      expect(body.data.customer.lastName).toBe(t.data.customers[0].lastName);
    });

    it('binds subgraphs to the loopback interface unless told otherwise', () => {
      for (const url of Object.values(t.stack.subgraphUrls)) expect(new URL(url).hostname).toBe('127.0.0.1');
    });
  });

  describe('operation limits', () => {
    let agent: Record<string, string>;
    beforeAll(async () => {
      agent = await t.asAgent('HUMAN_DESK');
    });
    /** verifiedCustomer → openHandoff → customer → openHandoff …: deep, but one object per level (the last an id), so cheap. */
    const nested = (depth: number) => {
      let selection = 'id';
      for (let level = depth - 1; level > 1; level--) selection = `${level % 2 ? 'customer' : 'openHandoff'} { id ${selection} }`;
      return `{ verifiedCustomer { ${selection} } }`;
    };

    it.each([
      ['too deep', () => nested(OPERATION_LIMITS.depth + 1), /depth/i],
      ['too many aliases', () => `{ ${Array.from({ length: OPERATION_LIMITS.aliases + 1 }, (_, i) => `a${i}: returnPolicy(category: "shoes", country: "DE") { returnable }`).join(' ')} }`, /aliases/i],
      ['too many tokens', () => `{ returnPolicy(category: "shoes", country: "DE") { ${'returnable '.repeat(OPERATION_LIMITS.tokens)} } }`, /token/i],
      ['too costly', () => `{ ${Array.from({ length: 5 }, (_, i) => `c${i}: customer(id: "x") { orders(first: 100) { id number status lineItems { id sku title quantity } } }`).join(' ')} }`, /cost/i],
      ['too many directives', () => `{ returnPolicy(category: "shoes", country: "DE") { returnable ${'@include(if: true) '.repeat(OPERATION_LIMITS.directives + 1)} } }`, /directives/i],
    ])('refuses an operation %s with QUERY_TOO_COMPLEX, before running it', async (_, query, limit) => {
      const { status, body } = await t.query(query(), undefined, agent);
      expect(status).toBe(400);
      expect(codeOf(body)).toBe('QUERY_TOO_COMPLEX');
      expect(body.errors![0].message).toMatch(limit);
    });

    it('lets every named operation through, and an operation at the depth limit', async () => {
      const schema = loadApiSchema();
      const { validationRules } = operationLimits(true);
      for (const [name, source] of Object.entries(loadOperations())) {
        expect([name, validate(schema, parse(source), validationRules).map((e) => e.message)]).toEqual([name, []]);
      }
      const { body } = await t.query(nested(OPERATION_LIMITS.depth), undefined, agent);
      expect(codeOf(body)).toBe('VERIFICATION_REQUIRED');
    });

    it('refuses batched operations with 400', async () => {
      const res = await fetch(t.stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...agent },
        body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
    });
  });

  describe('rate limits', () => {
    it('refuses a caller past its rate with 429 and Retry-After, and lets others through', async () => {
      const customer = await t.asCustomer(t.data.customers[1].id);
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.operation('ReturnPolicy', POLICY, customer)));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(3);
      expect(codeOf(limited[0].body)).toBe('RATE_LIMITED');
      expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const other = await t.operation('ReturnPolicy', POLICY, await t.asCustomer(t.data.customers[2].id));
      expect(other.status).toBe(200);
    });
  });
});

describe('production mode', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      customers: 3,
      env: {
        NODE_ENV: 'production',
        WEBHOOK_SECRET: 'a-webhook-secret-for-this-test',
        GATEWAY_SECRET: 'a-gateway-secret-for-this-test-0123456789',
        AUTH_JWT_SECRET: 'an-auth-secret-for-this-test-0123456789abc',
        PERSISTED_ONLY_ROLES: 'agent',
      },
    });
  });
  afterAll(() => t?.close());

  it('answers no introspection and suggests no field names', async () => {
    const customer = await t.asCustomer(t.data.customers[0].id);
    const introspection = await t.query('{ __schema { types { name } } }', undefined, customer);
    expect(codeOf(introspection.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await t.query('{ returnPolicyy(category: "shoes", country: "DE") { returnable } }', undefined, customer);
    expect(typo.body.errors![0].message).not.toMatch(/Did you mean/);
  });

  it('holds agents to the named operations (by id or exact text), and leaves customers free', async () => {
    const agent = await t.asAgent('VOICE');
    const own = await t.query('{ returnPolicy(category: "shoes", country: "DE") { returnable } }', undefined, agent);
    expect([own.status, codeOf(own.body)]).toEqual([403, 'OPERATION_NOT_ALLOWED']);
    expect((await t.operation('ReturnPolicy', { category: 'shoes', country: 'DE' }, agent)).body.data.returnPolicy.returnable).toBe(true);
    const byId = await fetch(t.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...agent },
      body: JSON.stringify({ variables: { category: 'shoes', country: 'DE' }, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(loadOperations().ReturnPolicy) } } }),
    });
    expect(((await byId.json()) as { data: { returnPolicy: { returnable: boolean } } }).data.returnPolicy.returnable).toBe(true);
    const customer = await t.query('{ returnPolicy(category: "shoes", country: "DE") { returnable } }', undefined, await t.asCustomer(t.data.customers[0].id));
    expect(customer.body.data.returnPolicy.returnable).toBe(true);
  });

  it('never signs with the demo secret', async () => {
    const { mintToken } = await import('../../gateway/auth');
    const { DEMO_AUTH_JWT_SECRET } = await import('../../subgraphs/shared/config');
    const demo = await mintToken({ role: 'customer', sub: t.data.customers[0].id }, { ...t.stack.config.auth, jwtSecret: DEMO_AUTH_JWT_SECRET });
    const { status } = await t.operation('ReturnPolicy', { category: 'shoes', country: 'DE' }, { authorization: `Bearer ${demo}` });
    expect(status).toBe(401);
  });
});

describe('tokens from an identity provider (JWKS)', () => {
  let t: TestStack;
  let jwks: http.Server;
  let privateKey: KeyLike;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    t = await startTestStack({ customers: 3, env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, AUTH_ISSUER: 'https://idp.example.com/', AUTH_AUDIENCE: 'ccg-api' } });
  });
  afterAll(async () => {
    await t?.close();
    jwks?.close();
  });

  const signed = (key: KeyLike, kid = 'key-1') =>
    new SignJWT({ role: 'customer' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject(t.data.customers[0].id)
      .setIssuer('https://idp.example.com/')
      .setAudience('ccg-api')
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token the provider signed, and refuses one signed by another key or with the demo secret', async () => {
    const ok = await t.operation('ReturnPolicy', { category: 'shoes', country: 'DE' }, { authorization: `Bearer ${await signed(privateKey)}` });
    expect(ok.body.data.returnPolicy.returnable).toBe(true);
    const stranger = (await generateKeyPair('RS256')).privateKey;
    const forged = await t.operation('ReturnPolicy', { category: 'shoes', country: 'DE' }, { authorization: `Bearer ${await signed(stranger)}` });
    expect([forged.status, codeOf(forged.body)]).toEqual([401, 'UNAUTHENTICATED']);
    const { mintToken } = await import('../../gateway/auth');
    const { DEMO_AUTH_JWT_SECRET } = await import('../../subgraphs/shared/config');
    const hmac = await mintToken({ role: 'customer', sub: t.data.customers[0].id }, { jwtSecret: DEMO_AUTH_JWT_SECRET, issuer: 'https://idp.example.com/', audience: 'ccg-api' });
    expect((await t.operation('ReturnPolicy', { category: 'shoes', country: 'DE' }, { authorization: `Bearer ${hmac}` })).status).toBe(401);
  });
});
