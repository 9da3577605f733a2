import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDemoData } from '../../../../test/fixtures/demo-data';
import { startCommercetools, testVendorCalls, type RunningCommercetools } from '../../../../test/helpers/commercetools';
import { FIXTURE_ANCHOR } from '../../../../test/helpers/stack';
import { createLogger } from '../../../shared/logger';
import { requestDeadline } from '../../../shared/resilience';
import type { CommercetoolsOrderSystem } from './system';
import { commercetoolsOrderAdapter } from '.';

/** What the proxy does with the next API request it matches: answer it itself, hang, cut the connection, or pass it on. */
type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'drop' }
  /** The request reaches commercetools; its answer is lost on the way back. */
  | { kind: 'drop-answer' };

/** A proxy in front of the emulator that injects faults into API calls (tokens always pass). */
async function startFaultProxy(target: string) {
  const faults: { method?: string; fault: Fault }[] = [];
  const seen: string[] = [];
  const open = new Set<ServerResponse>();
  const forward = (req: IncomingMessage, res: ServerResponse, onAnswer?: (answer: IncomingMessage) => void) => {
    const url = new URL(req.url ?? '/', target);
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      if (onAnswer) return onAnswer(answer);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  };
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/oauth/')) return forward(req, res);
    seen.push(`${req.method} ${new URL(req.url ?? '/', target).pathname}`);
    const at = faults.findIndex((f) => !f.method || f.method === req.method);
    const fault = at >= 0 ? faults.splice(at, 1)[0].fault : undefined;
    if (!fault) return forward(req, res);
    switch (fault.kind) {
      case 'status':
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        return res.end(JSON.stringify({ statusCode: fault.status, message: 'injected: internal details', errors: [{ code: fault.status === 429 ? 'TooManyRequests' : 'General', message: 'injected: internal details' }] }));
      case 'hang':
        req.resume();
        open.add(res);
        return;
      case 'drop':
        req.resume();
        return req.socket.destroy();
      case 'drop-answer':
        return forward(req, res, (answer) => {
          answer.resume();
          answer.on('end', () => req.socket.destroy());
        });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    /** Faults for the next matching requests, in order. */
    inject: (...next: (Fault & { method?: string })[]) => faults.push(...next.map((f) => ({ method: f.method, fault: f }))),
    reset: () => {
      faults.length = 0;
      seen.length = 0;
      open.forEach((res) => res.socket?.destroy());
      open.clear();
    },
    close: async () => {
      open.forEach((res) => res.socket?.destroy());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('commercetools adapter faults, through the vendor-call discipline', () => {
  const data = generateDemoData({ customers: 4, anchor: FIXTURE_ANCHOR });
  let ct: RunningCommercetools;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  let source: CommercetoolsOrderSystem;
  const BACKEND_TIMEOUT_MS = 1_500;
  // A deadline of hundreds of ms, and a margin that holds on a busy two-core box.
  const DEADLINE_MS = 700;
  const MARGIN_MS = 500;

  beforeAll(async () => {
    ct = await startCommercetools(data);
    proxy = await startFaultProxy(ct.url);
  });
  // A discipline of its own per test: a vendor's pause (a 429's Retry-After) outlives the test that caused it.
  beforeEach(async () => {
    const config = commercetoolsOrderAdapter.config.parse({ projectKey: ct.projectKey, clientId: ct.clientId, clientSecret: ct.clientSecret, apiUrl: proxy.url, authUrl: proxy.url });
    source = await commercetoolsOrderAdapter.create(config, { db: undefined as never, logger: createLogger('test', 'silent'), vendorCalls: testVendorCalls({ backendTimeoutMs: BACKEND_TIMEOUT_MS }) });
    proxy.reset();
    await source.ping(); // the token, once
    proxy.reset();
  });
  afterAll(async () => {
    await proxy?.close();
    await ct?.close();
  });

  const orderId = () => ct.held.orders[0].id;
  const withDeadline = async <T>(work: () => Promise<T>) => {
    const started = Date.now();
    const outcome = await requestDeadline.run(started + DEADLINE_MS, () => work().then((value) => ({ value }), (error) => ({ error })));
    return { ...outcome, ms: Date.now() - started } as { value?: T; error?: any; ms: number };
  };

  it('429 with a Retry-After that fits the deadline: waited for, then answered', async () => {
    proxy.inject({ kind: 'status', status: 429, headers: { 'retry-after': '0.2' } });
    const { value, ms } = await withDeadline(() => source.getOrders([orderId()]));
    expect(value?.[0]?.id).toBe(orderId());
    expect(proxy.seen).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(180);
  });

  it('429 with a Retry-After past the deadline: fails fast with its code, the vendor’s text nowhere', async () => {
    proxy.inject({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const { error, ms } = await withDeadline(() => source.getOrders([orderId()]));
    expect(error).toMatchObject({ code: 'OVERLOADED', details: expect.objectContaining({ service: 'orders' }) });
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/injected|internal details/);
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(proxy.seen).toHaveLength(1);
  });

  it('500 once: a read is retried and answered; 500 every time: BACKEND_UNAVAILABLE within the deadline', async () => {
    proxy.inject({ kind: 'status', status: 500 });
    await expect(withDeadline(() => source.getOrders([orderId()]))).resolves.toMatchObject({ value: [expect.objectContaining({ id: orderId() })] });
    proxy.reset();
    proxy.inject(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
    const { error, ms } = await withDeadline(() => source.getOrders([orderId()]));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: expect.objectContaining({ service: 'orders', retryable: true }) });
    expect(error.message).not.toMatch(/injected/);
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });

  it('a hang past the deadline: BACKEND_TIMEOUT at the deadline, not at the vendor’s pace', async () => {
    proxy.inject(...Array.from({ length: 3 }, () => ({ kind: 'hang' as const })));
    const { error, ms } = await withDeadline(() => source.getOrders([orderId()]));
    expect(error).toMatchObject({ code: 'BACKEND_TIMEOUT' });
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });

  it('a dropped connection: a read is retried; dropped every time, BACKEND_UNAVAILABLE', async () => {
    proxy.inject({ kind: 'drop' });
    await expect(withDeadline(() => source.getOrders([orderId()]))).resolves.toMatchObject({ value: [expect.objectContaining({ id: orderId() })] });
    proxy.reset();
    proxy.inject(...Array.from({ length: 5 }, () => ({ kind: 'drop' as const })));
    const { error, ms } = await withDeadline(() => source.getOrders([orderId()]));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });

  describe('createReturn is never written twice', () => {
    const order = () => ct.held.orders.find((o) => o.status === 'DELIVERED' && !ct.held.returns.some((r) => r.orderId === o.id))!;
    const input = () => {
      const item = ct.held.lineItems.find((i) => i.orderId === order().id)!;
      return { orderId: order().id, customerId: order().customerId, items: [{ lineItemId: item.id, quantity: 1, reason: 'DAMAGED' as const }] };
    };
    const writes = () => proxy.seen.filter((s) => s === `POST /${ct.projectKey}/orders/${order().id}`).length;

    it('a 500 on the write fails once, unretried, and writes nothing', async () => {
      proxy.inject({ method: 'POST', kind: 'status', status: 500 });
      const { error } = await withDeadline(() => source.createReturn(input(), 'fault-500', () => undefined));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect(writes()).toBe(1);
      await expect(source.findReturnByRequestKey(order().id, 'fault-500')).resolves.toBeNull();
    });

    it('a write whose answer was lost is not retried; the request key finds it, and a repeat writes nothing', async () => {
      proxy.inject({ method: 'POST', kind: 'drop-answer' });
      const { error } = await withDeadline(() => source.createReturn(input(), 'fault-lost', () => undefined));
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      expect(writes()).toBe(1);
      const found = await source.findReturnByRequestKey(order().id, 'fault-lost');
      expect(found).toMatchObject({ orderId: order().id, status: 'REQUESTED' });
      const again = await source.createReturn(input(), 'fault-lost', () => undefined);
      expect(again).toEqual(found);
      expect(writes()).toBe(1);
      await source.abandonReturn(again);
    });

    it('a hang on the write: BACKEND_TIMEOUT within the deadline, one write at most', async () => {
      proxy.inject({ method: 'POST', kind: 'hang' });
      const { error, ms } = await withDeadline(() => source.createReturn(input(), 'fault-hang', () => undefined));
      expect(error).toMatchObject({ code: 'BACKEND_TIMEOUT' });
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(writes()).toBe(1);
    });
  });
});
