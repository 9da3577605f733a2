import diagnostics from 'node:diagnostics_channel';
import { signSessionToken, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { createRedisCache } from '../../subgraphs/shared/cache';
import { ErrorCode, HTTP_STATUS } from '../../subgraphs/shared/errors';
import { createLogger } from '../../subgraphs/shared/logger';
import { createRevocations } from '../../subgraphs/shared/revocation';
import { TEST_REDIS_URL } from '../helpers/db';
import { startTestStack, type TestStack } from '../helpers/stack';

const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ORDER = /* GraphQL */ `query ($id: ID!) { order(id: $id) { id number payments { status } shipments { status } } }`;
/** What a replayed header asks of the orders subgraph itself. */
const OWN_ORDER = /* GraphQL */ `query ($id: ID!) { order(id: $id) { id number } }`;
const ERASE = /* GraphQL */ `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customerId } }`;

/** What went over the wire from this process: every viewer header undici sent, with where it went. */
function captureViewerHeaders() {
  const sent: { url: string; header: string; at: number }[] = [];
  const onCreate = (message: unknown) => {
    const { request } = message as { request: { origin: string; path: string; headers: string | string[] } };
    const raw = Array.isArray(request.headers) ? request.headers.join('\n') : request.headers;
    const header = new RegExp(`${VIEWER_HEADER}(?::\\s*|\\n)([^\\r\\n]+)`, 'i').exec(raw)?.[1];
    if (header) sent.push({ url: `${request.origin}${request.path}`, header, at: Date.now() });
  };
  diagnostics.subscribe('undici:request:create', onCreate);
  return { sent, stop: () => diagnostics.unsubscribe('undici:request:create', onCreate) };
}

/** Internal trust: what the gateway forwards is short-lived and bound, and erasure ends access at once. */
describe('internal trust', () => {
  let t: TestStack;
  let capture: ReturnType<typeof captureViewerHeaders>;
  const TTL_MS = 5_000;
  beforeAll(async () => {
    t = await startTestStack({ customers: 12, redis: true, env: { VIEWER_TTL_SECONDS: String(TTL_MS / 1000) } });
    capture = captureViewerHeaders();
  });
  afterAll(async () => {
    capture?.stop();
    await t?.close();
  });

  const direct = (url: string, query: string, variables: Record<string, unknown>, header: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [VIEWER_HEADER]: header }, body: JSON.stringify({ query, variables }) });
  const captured = (subgraphUrl: string, since: number) => {
    const found = capture.sent.filter((s) => s.url.startsWith(subgraphUrl.replace(/\/graphql$/, '')) && s.at >= since).at(-1);
    if (!found) throw new Error(`no viewer header sent to ${subgraphUrl}`);
    return found;
  };

  describe('the forwarded caller', () => {
    it('is refused once its seconds are up: a captured header replayed later is UNAUTHENTICATED', async () => {
      const customer = t.data.customers[1];
      const order = t.data.orders.find((o) => o.customerId === customer.id)!;
      const since = Date.now();
      const first = await t.query(ORDER, { id: order.id }, await t.asCustomer(customer.id));
      expect(first.body.data.order.number).toBe(order.number);
      const { header, at } = captured(t.stack.subgraphUrls.orders, since);
      // Within its life it is what the gateway sent; past it, nothing.
      const now = await direct(t.stack.subgraphUrls.orders, OWN_ORDER, { id: order.id }, header);
      expect(((await now.json()) as any).data.order.number).toBe(order.number);
      await sleep(Math.max(0, at + TTL_MS + 500 - Date.now()));
      const later = await direct(t.stack.subgraphUrls.orders, OWN_ORDER, { id: order.id }, header);
      const body = (await later.json()) as any;
      expect([later.status, codeOf(body)]).toEqual([401, 'UNAUTHENTICATED']);
      expect(JSON.stringify(body)).not.toContain(order.number);
    });

    it('is for one subgraph: a header sent to orders is refused by the CRM', async () => {
      const customer = t.data.customers[2];
      const since = Date.now();
      await t.query(ORDER, { id: t.data.orders.find((o) => o.customerId === customer.id)!.id }, await t.asCustomer(customer.id));
      const { header } = captured(t.stack.subgraphUrls.orders, since);
      const res = await direct(t.stack.subgraphUrls.customers, `query ($id: ID!) { customer(id: $id) { lastName email } }`, { id: customer.id }, header);
      const body = (await res.json()) as any;
      expect([res.status, codeOf(body)]).toEqual([401, 'UNAUTHENTICATED']);
      expect(JSON.stringify(body)).not.toContain(customer.lastName);
    });

    it('as the audit writer holds POST /audit only: it reads no customer through _entities and erases nothing', async () => {
      const victim = t.data.customers[4];
      const since = Date.now();
      const bot = await t.verifiedAgent(3, 'VOICE', 'voice-trust');
      expect((await t.operation('CustomerContext', {}, bot)).body.errors).toBeUndefined();
      const audit = capture.sent.filter((s) => s.url.endsWith('/audit') && s.at >= since).at(-1);
      expect(audit).toBeDefined();
      const entities = await direct(
        t.stack.subgraphUrls.customers,
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { email phone lastName } } }`,
        { r: [{ __typename: 'Customer', id: victim.id }] },
        audit!.header,
      );
      const body = JSON.stringify(await entities.json());
      expect(body).not.toContain(victim.email);
      expect(body).not.toContain(victim.lastName);
      const erase = await direct(t.stack.subgraphUrls.customers, ERASE, { input: { customerId: victim.id, reason: 'replay' } }, audit!.header);
      expect(codeOf((await erase.json()) as any)).toBe('FORBIDDEN');
      const orders = await direct(t.stack.subgraphUrls.orders, `mutation ($c: ID!) { eraseOrderData(customerId: $c) { records } }`, { c: victim.id }, audit!.header);
      expect([orders.status, codeOf((await orders.json()) as any)]).toEqual([401, 'UNAUTHENTICATED']);
      // Nothing of the victim was touched.
      const own = await t.query(`query ($id: ID!) { customer(id: $id) { email } }`, { id: victim.id }, await t.asCustomer(victim.id));
      expect(own.body.data.customer.email).toBe(victim.email);
    });

    it('carries the agent’s session expiry: the subgraph refuses it once the session has ended', async () => {
      const customer = t.data.customers[5];
      const order = t.data.orders.find((o) => o.customerId === customer.id)!;
      const expiresAt = new Date(Date.now() + 3_000);
      const token = await signSessionToken({ sessionId: 'vs_short_lived', customerId: customer.id, channel: 'VOICE', expiresAt }, t.stack.config.gatewaySecret);
      const since = Date.now();
      const read = await t.query(ORDER, { id: order.id }, await t.asAgent('VOICE', { session: token }));
      expect(read.body.data.order.number).toBe(order.number);
      const { header } = captured(t.stack.subgraphUrls.orders, since);
      // The session's token carries whole seconds: it ends at most 3 s from now, before the header does.
      await sleep(Math.max(0, expiresAt.getTime() + 200 - Date.now()));
      const replayed = await direct(t.stack.subgraphUrls.orders, OWN_ORDER, { id: order.id }, header);
      const body = (await replayed.json()) as any;
      expect([replayed.status, codeOf(body)]).toEqual([401, 'VERIFICATION_EXPIRED']);
      expect(JSON.stringify(body)).not.toContain(order.number);
    });
  });

  describe('erasure', () => {
    it('ends the customer’s sessions at once, at the gateway and in every subgraph, and drops their cached answers', async () => {
      const index = 7;
      const customer = t.data.customers[index];
      const order = t.data.orders.find((o) => o.customerId === customer.id)!;
      const desk = await t.verifiedAgent(index, 'HUMAN_DESK', 'desk-erase');
      // Another replica on the same Redis hears the revocation too.
      const replica = await createRedisCache(TEST_REDIS_URL, createLogger('replica', 'silent'), { namespace: t.stack.config.cacheNamespace });
      const replicaRevocations = createRevocations(replica, 60_000);
      try {
        // Warm every cache: the response cache, the gateway's fetch cache, the subgraphs'.
        for (let i = 0; i < 2; i++) {
          expect((await t.operation('CustomerContext', {}, desk)).body.errors).toBeUndefined();
          expect((await t.query(ORDER, { id: order.id }, desk)).body.data.order.number).toBe(order.number);
        }
        const since = Date.now();
        await t.query(ORDER, { id: order.id }, { ...desk, 'cache-control': 'no-cache' });
        const orderHeader = captured(t.stack.subgraphUrls.orders, since).header;

        const erased = await t.query(ERASE, { input: { customerId: customer.id, reason: 'GDPR-trust' } }, await t.asOperations());
        expect(erased.body.errors).toBeUndefined();

        for (const answer of [await t.query(ORDER, { id: order.id }, desk), await t.operation('CustomerContext', {}, desk)]) {
          expect([answer.status, codeOf(answer.body)]).toEqual([401, 'VERIFICATION_REQUIRED']);
          expect(answer.body.data).toBeUndefined();
          expect(JSON.stringify(answer.body)).not.toContain(order.number);
        }
        // A header forwarded before the erasure, still within its seconds, is refused by the subgraph too.
        const replayed = await direct(t.stack.subgraphUrls.orders, OWN_ORDER, { id: order.id }, orderHeader);
        expect(codeOf((await replayed.json()) as any)).toBe('VERIFICATION_REQUIRED');
        // The customer's own read, cached before, now answers the pseudonymized record.
        const own = await t.query(`query ($id: ID!) { customer(id: $id) { firstName email } }`, { id: customer.id }, await t.asCustomer(customer.id));
        expect(JSON.stringify(own.body)).not.toContain(customer.email);
        for (let i = 0; i < 50 && !replicaRevocations.isRevoked(customer.id); i++) await sleep(50);
        expect(replicaRevocations.isRevoked(customer.id)).toBe(true);
        expect(replicaRevocations.isRevoked(t.data.customers[8].id)).toBe(false);
      } finally {
        await replica.close();
      }
    });
  });

  describe('HTTP status', () => {
    it('gives VERIFICATION_REQUIRED one status, whether the session is missing or unknown; a partial answer stays 200', async () => {
      const none = await t.operation('CustomerContext', {}, await t.asAgent('VOICE'));
      const unknown = await t.operation('CustomerContext', {}, await t.asAgent('VOICE', { session: 'not-a-session' }));
      expect([none.status, codeOf(none.body)]).toEqual([HTTP_STATUS.VERIFICATION_REQUIRED, ErrorCode.VERIFICATION_REQUIRED]);
      expect([unknown.status, codeOf(unknown.body)]).toEqual([HTTP_STATUS.VERIFICATION_REQUIRED, ErrorCode.VERIFICATION_REQUIRED]);
      expect(HTTP_STATUS.VERIFICATION_REQUIRED).toBe(401);
      const wrong = await t.operation('VerifyCaller', { input: { callerId: t.data.customers[0].id, identification: 'forged', channel: 'VOICE', method: 'POSTAL_CODE', answer: '12345' } }, await t.asAgent('VOICE'));
      expect([wrong.status, codeOf(wrong.body)]).toEqual([400, 'BAD_USER_INPUT']);
      const partial = await t.query(`{ returnPolicy(category: "shoes", country: "DE") { returnable } customerDataExport(customerId: "${t.data.customers[0].id}") { customerId } }`, undefined, await t.asAgent('VOICE'));
      expect([partial.status, codeOf(partial.body), partial.body.data?.customerDataExport]).toEqual([200, 'FORBIDDEN', null]);
    });
  });
});
