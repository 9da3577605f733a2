import type { DemoData } from '../fixtures/demo-data';
import type { RunningCommercetools } from '../helpers/commercetools';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import type { Caller, TestStack } from '../helpers/stack';
import { startVendorStack, type VendorStack } from '../helpers/vendors';
import type { StartedEasyPost } from '../standins/easypost';
import type { StartedHubspot } from '../standins/hubspot';
import type { StartedStripe } from '../standins/stripe';

const CUSTOMERS = 24;
const TTL_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Body = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, any> };
const codes = (body: Body) => (body.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.service ?? ''}`);

/**
 * One vendor down, the others up: the agent's per-turn context still answers, with the failing
 * system's part as a coded error naming its subgraph (or a stale copy, marked, where one was read
 * before), a vendor's long Retry-After as OVERLOADED and a hanging vendor within the request's
 * deadline. Nothing of the vendor's own error reaches the client.
 */
describe('the graph when one vendor fails', () => {
  let t: TestStack;
  let ct: RunningCommercetools;
  let ctProxy: FaultProxy;
  let stripe: StartedStripe;
  let easypost: StartedEasyPost;
  let hubspot: StartedHubspot;
  let data: DemoData;
  let stack: VendorStack;
  beforeAll(async () => {
    stack = await startVendorStack({
      customers: CUSTOMERS,
      env: async (emulator) => {
        ctProxy = await startFaultProxy(emulator.url);
        // The API through the proxy that injects faults; tokens straight from the emulator.
        return { ORDERS_COMMERCETOOLS_API_URL: ctProxy.url, CACHE_TTL_SECONDS: `default=${TTL_SECONDS}`, STALE_IF_ERROR_SECONDS: '300' };
      },
    });
    ({ t, ct, stripe, easypost, hubspot, data } = stack);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await ctProxy?.close();
  });

  const vendors = {
    // The CRM holds the caller every other part hangs off: without it there is no partial answer.
    hubspot: { subgraph: 'customers', ownsRoot: true, fault: (f: { kind: '500' | '429' | 'hang'; retryAfterSeconds?: number }) => hubspot.standIn.fault({ path: /.*/, ...f }) },
    commercetools: { ownsRoot: false, subgraph: 'orders', fault: (f: { kind: '500' | '429' | 'hang'; retryAfterSeconds?: number }) => ctProxy.fault({ path: /.*/, ...f }) },
    stripe: { ownsRoot: false, subgraph: 'payments', fault: (f: { kind: '500' | '429' | 'hang'; retryAfterSeconds?: number }) => stripe.standIn.fault({ path: /.*/, ...f }) },
    easypost: { ownsRoot: false, subgraph: 'logistics', fault: (f: { kind: '500' | '429' | 'hang'; retryAfterSeconds?: number }) => easypost.standIn.fault({ path: /.*/, ...f }) },
  } as const;

  const context = async (caller: Caller, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const { status, body } = await t.operation('CustomerContext', {}, { ...caller, ...headers });
    return { status, body: body as Body, took: performance.now() - started };
  };

  const noCache = { 'cache-control': 'no-cache' };
  /** No vendor's own words in an answer: only the graph's codes and messages. */
  const expectNoVendorWords = (body: Body) => expect(JSON.stringify(body)).not.toMatch(/injected|internal error|something went wrong|RATE_LIMITS|TooManyRequests/i);

  describe.each(Object.keys(vendors) as (keyof typeof vendors)[])('%s failing', (vendor) => {
    const { subgraph, fault, ownsRoot } = vendors[vendor];
    /** A partial answer (200) where the failing system owns a part; its coded error, status and all, where it owns the caller. */
    const expectFailedPart = (status: number, body: Body, code: string, httpStatus: number) => {
      expect(codes(body).length).toBeGreaterThan(0);
      expect(new Set(codes(body))).toEqual(new Set([`${code}:${subgraph}`]));
      expectNoVendorWords(body);
      if (ownsRoot) {
        expect(status).toBe(httpStatus);
        expect(body.data?.verifiedCustomer ?? null).toBeNull();
        return;
      }
      expect(status).toBe(200);
      // The caller and every part of the other systems are there; only the failing system's parts are null.
      expect(body.data.verifiedCustomer).toMatchObject({ id: expect.any(String), firstName: expect.any(String), openHandoffs: expect.any(Array), interactions: expect.any(Array) });
      if (subgraph !== 'orders') expect(body.data.verifiedCustomer.activeOrders).toEqual(expect.arrayContaining([expect.objectContaining({ number: expect.any(String), lineItems: expect.any(Array) })]));
      for (const error of body.errors!) {
        // A hang is cut short by the gateway's own deadline for the whole fetch: no path, and the brief,
        // which @requires the hanging system's parts, is not written; a failing vendor fails only its fields.
        if (code === 'BACKEND_TIMEOUT' && !error.path) continue;
        expect(error.path?.reduce((at: any, key) => at?.[key], body.data)).toBeNull();
      }
      if (code !== 'BACKEND_TIMEOUT') expect(body.data.verifiedCustomer.brief).toEqual(expect.any(String));
      // The agent is told the orders could not be read, never that there are none.
      if (subgraph === 'orders' && body.data.verifiedCustomer.brief) expect(body.data.verifiedCustomer.brief).toMatch(/Orders could not be read|Bestellungen gerade nicht lesbar|Commandes illisibles|No se pueden leer los pedidos/);
    };
    const seen = Object.keys(vendors).indexOf(vendor) * 4 + 2;
    const unseen = seen + 1;
    afterEach(async () => {
      // 500s on every read open the subgraph's backend circuit, which half-opens after a few seconds:
      // each test starts on a healthy graph, so it sees what its own fault does.
      const agent = await t.verifiedAgent(seen);
      for (let i = 0; i < 40; i++) {
        if (!(await context(agent, noCache)).body.errors) return;
        await sleep(250);
      }
      throw new Error(`${subgraph} did not recover after ${vendor} came back`);
    }, 20_000);

    it(`stands in the copy read before the outage, marked stale, for ${subgraph}`, async () => {
      const agent = await t.verifiedAgent(seen);
      const before = await context(agent);
      expect(before.body.errors).toBeUndefined();
      await sleep(TTL_SECONDS * 1000 + 300); // past the TTL: the next turn would read the vendor again
      const restore = fault({ kind: '500' });
      try {
        const { status, body } = await context(agent);
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        expect(body.data).toEqual(before.body.data);
        expect(body.extensions?.stale).toEqual(expect.arrayContaining([expect.objectContaining({ service: subgraph, ageSeconds: expect.any(Number) })]));
        expect(body.extensions!.stale.every((s: { service: string }) => s.service === subgraph)).toBe(true);
      } finally {
        restore();
      }
    });

    it(`answers a hang as BACKEND_TIMEOUT naming ${subgraph} within the request's deadline`, async () => {
      const agent = await t.verifiedAgent(seen);
      const restore = fault({ kind: 'hang' });
      try {
        const { status, body, took } = await context(agent, { ...noCache, 'x-deadline-ms': '1500' });
        expectFailedPart(status, body, 'BACKEND_TIMEOUT', 504);
        // The deadline, plus a margin for two shared cores; not the backend's own timeout.
        expect(took).toBeLessThan(1500 + 1_000);
      } finally {
        restore();
      }
    });

    it(`answers a 429 whose Retry-After outlasts the deadline as OVERLOADED naming ${subgraph}, at once`, async () => {
      const agent = await t.verifiedAgent(seen);
      const restore = fault({ kind: '429', retryAfterSeconds: 3 });
      try {
        const { status, body, took } = await context(agent, { ...noCache, 'x-deadline-ms': '1500' });
        expectFailedPart(status, body, 'OVERLOADED', 503);
        // Not waited out: the pause ends past the deadline.
        expect(took).toBeLessThan(1500);
      } finally {
        restore();
        await sleep(3_000); // the vendor's pause, shared by every replica, runs out
      }
    });

    it(`answers BACKEND_UNAVAILABLE naming ${subgraph} when ${vendor} answers 500 on every path${ownsRoot ? '' : ', with the other systems’ parts'}`, async () => {
      const agent = await t.verifiedAgent(unseen);
      const restore = fault({ kind: '500' });
      try {
        const { status, body } = await context(agent, noCache);
        expectFailedPart(status, body, 'BACKEND_UNAVAILABLE', 503);
      } finally {
        restore();
      }
    });
  });
});
