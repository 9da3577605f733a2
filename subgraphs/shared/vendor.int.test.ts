import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_REDIS_URL } from '../../test/helpers/db';
import { AppError, ErrorCode } from './errors';
import { createLogger } from './logger';
import { RequestDeadlineError, requestDeadline } from './resilience';
import { createVendorCallFactory, failureFromHttp, type VendorCalls } from './vendor';

// What a vendor says in its bodies, and the key our requests carry: neither may reach an error or a log.
const BODY = 'VENDOR-SAYS-card 4242 for cus_secret';
const IDEMPOTENCY_KEY = 'idem-key-do-not-log';

/**
 * A vendor on a local port. Each path counts its requests per `key`: `/ok`; `/fail?n=2` (500 n
 * times, then 200); `/limited?after=s` (one 429 with Retry-After, then 200); `/hang` (never
 * answers); `/drop?n=1` (headers, half a body, then the socket destroyed, n times); `/status?code=`.
 */
function vendorServer() {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://vendor');
    const key = `${url.pathname}:${url.searchParams.get('key')}`;
    const n = (hits.get(key) ?? 0) + 1;
    hits.set(key, n);
    const param = (name: string) => Number(url.searchParams.get(name) ?? 1);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    switch (url.pathname) {
      case '/ok':
        return answer(200, { ok: true, n });
      case '/fail':
        return n <= param('n') ? answer(500, { error: BODY }) : answer(200, { ok: true, n });
      case '/limited':
        return n === 1 ? answer(429, { error: BODY }, { 'retry-after': url.searchParams.get('after') ?? '1' }) : answer(200, { ok: true, n });
      case '/hang':
        return;
      case '/drop':
        if (n > param('n')) return answer(200, { ok: true, n });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"ok": tr');
        return void setTimeout(() => req.socket.destroy(), 5);
      case '/status':
        return answer(param('code'), { error: BODY });
      default:
        return answer(404, {});
    }
  });
  return { server, count: (path: string, key: string) => hits.get(`${path}:${key}`) ?? 0 };
}

class HttpFailure extends Error {
  constructor(readonly status: number, readonly headers: Record<string, string>, body: string) {
    super(`vendor answered ${status}: ${body}`);
  }
}
const classify = (err: unknown) => (err instanceof HttpFailure ? failureFromHttp(err.status, err.headers) : failureFromHttp(undefined, undefined, true));

describe('vendor calls (real Redis, a vendor on a local port)', () => {
  const vendor = vendorServer();
  let base = '';
  const ns = `test:vendor:${randomBytes(4).toString('hex')}`;
  const lines: string[] = [];
  const logger = createLogger('test', 'warn', { write: (line: string) => void lines.push(line) });
  const factories: { close(): Promise<void> }[] = [];
  const replica = (options: { backendTimeoutMs?: number; redisUrl?: string } = {}) => {
    const factory = createVendorCallFactory({ service: 'payments', redisUrl: options.redisUrl ?? TEST_REDIS_URL, namespace: ns, backendTimeoutMs: options.backendTimeoutMs ?? 2_000, logger });
    factories.push(factory);
    return factory;
  };
  const calls = (name: string, options: { backendTimeoutMs?: number; redisUrl?: string; requestsPerSecond?: number } = {}): VendorCalls =>
    replica(options)({ vendor: name, requestsPerSecond: options.requestsPerSecond ?? 1_000, classify });
  const get = async (path: string, { signal }: { signal: AbortSignal }) => {
    const res = await fetch(base + path, { signal, headers: { 'idempotency-key': IDEMPOTENCY_KEY } });
    const body = await res.text();
    if (!res.ok) throw new HttpFailure(res.status, Object.fromEntries(res.headers), body);
    return JSON.parse(body) as { ok: boolean; n: number };
  };
  const within = <T>(ms: number, work: () => Promise<T>) => requestDeadline.run(Date.now() + ms, work);
  const timed = async <T>(work: () => Promise<T>) => {
    const start = Date.now();
    const outcome = await work().then((value) => ({ value, error: undefined }), (error: AppError) => ({ value: undefined, error }));
    return { ...outcome, elapsed: Date.now() - start };
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => vendor.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(vendor.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(factories.map((f) => f.close()));
    vendor.server.closeAllConnections();
    await new Promise((resolve) => vendor.server.close(resolve));
  });

  it('retries a read through 500s to its answer, logging each failed attempt without bodies or keys', async () => {
    const before = lines.length;
    const answer = await within(3_000, () => calls('reads').call({ op: 'charges.retrieve', kind: 'read' }, (c) => get('/fail?key=read&n=2', c)));
    expect(answer).toEqual({ ok: true, n: 3 });
    expect(vendor.count('/fail', 'read')).toBe(3);
    const logged = lines.slice(before).map((line) => JSON.parse(line));
    expect(logged).toEqual([
      expect.objectContaining({ level: 40, vendor: 'reads', op: 'charges.retrieve', kind: 'unavailable', status: 500, attempt: 1 }),
      expect.objectContaining({ level: 40, vendor: 'reads', op: 'charges.retrieve', kind: 'unavailable', status: 500, attempt: 2 }),
    ]);
  });

  it('never retries a write without an idempotency key, whether the vendor failed or dropped the answer', async () => {
    const writes = calls('writes');
    const failed = await within(3_000, () => writes.call({ op: 'refunds.create', kind: 'write' }, (c) => get('/fail?key=write&n=2', c)).catch((e: AppError) => e));
    expect(failed).toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE, details: { service: 'payments', retryable: true } });
    expect(vendor.count('/fail', 'write')).toBe(1);
    const dropped = await within(3_000, () => writes.call({ op: 'refunds.create', kind: 'write' }, (c) => get('/drop?key=write', c)).catch((e: AppError) => e));
    expect(dropped).toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE });
    expect(vendor.count('/drop', 'write')).toBe(1);
  });

  it('retries a write that carries the vendor\'s idempotency key, after a 500 and after an answer cut mid-way', async () => {
    const writes = calls('idempotent-writes');
    const write = { op: 'refunds.create', kind: 'write', idempotent: true } as const;
    await expect(within(3_000, () => writes.call(write, (c) => get('/fail?key=idem&n=2', c)))).resolves.toEqual({ ok: true, n: 3 });
    await expect(within(3_000, () => writes.call(write, (c) => get('/drop?key=idem', c)))).resolves.toEqual({ ok: true, n: 2 });
    expect(vendor.count('/drop', 'idem')).toBe(2);
  });

  it('honours a 429\'s Retry-After within the deadline, even for a write (the vendor did not do it)', async () => {
    const { value, elapsed } = await timed(() => within(4_000, () => calls('limited').call({ op: 'refunds.create', kind: 'write' }, (c) => get('/limited?key=wait&after=1', c))));
    expect(value).toEqual({ ok: true, n: 2 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
  });

  it('fails fast when Retry-After ends past the deadline, and the other replicas pause too', async () => {
    const { error, elapsed } = await timed(() => within(1_500, () => calls('paused').call({ op: 'charges.list', kind: 'read' }, (c) => get('/limited?key=long&after=30', c))));
    expect(error).toMatchObject({ code: ErrorCode.OVERLOADED, details: { service: 'payments', retryable: true } });
    expect(elapsed).toBeLessThan(1_000);
    // Another replica of the subgraph asks the same vendor: refused at once, the vendor not called.
    const other = await timed(() => within(1_500, () => calls('paused').call({ op: 'charges.list', kind: 'read' }, (c) => get('/limited?key=long&after=30', c))));
    expect(other.error).toMatchObject({ code: ErrorCode.OVERLOADED });
    expect(other.elapsed).toBeLessThan(1_000);
    expect(vendor.count('/limited', 'long')).toBe(1);
  });

  it('gives a vendor no more than the request\'s deadline: a time-out it caused is the request\'s, not the backend\'s', async () => {
    const { error, elapsed } = await timed(() => within(300, () => calls('deadline', { backendTimeoutMs: 5_000 }).call({ op: 'charges.retrieve', kind: 'read' }, (c) => get('/hang?key=deadline', c))));
    expect(error).toBeInstanceOf(RequestDeadlineError);
    expect(error).toMatchObject({ code: ErrorCode.BACKEND_TIMEOUT, details: { service: 'payments', retryable: true } });
    expect(elapsed).toBeLessThan(300 + 400);
    expect(vendor.count('/hang', 'deadline')).toBe(1);
  });

  it('a vendor slow within its own limit is BACKEND_TIMEOUT (retried for a read, never for a plain write)', async () => {
    const slow = calls('slow', { backendTimeoutMs: 150 });
    const read = await timed(() => within(3_000, () => slow.call({ op: 'charges.retrieve', kind: 'read' }, (c) => get('/hang?key=slow-read', c))));
    expect(read.error).toMatchObject({ code: ErrorCode.BACKEND_TIMEOUT, details: { service: 'payments', retryable: true } });
    expect(read.error).not.toBeInstanceOf(RequestDeadlineError);
    expect(vendor.count('/hang', 'slow-read')).toBe(3);
    // Three attempts of 150 ms and two back-offs of at most 100 and 200 ms.
    expect(read.elapsed).toBeLessThan(3 * 150 + 300 + 400);
    const write = await timed(() => within(3_000, () => slow.call({ op: 'refunds.create', kind: 'write' }, (c) => get('/hang?key=slow-write', c))));
    expect(write.error).toMatchObject({ code: ErrorCode.BACKEND_TIMEOUT });
    expect(vendor.count('/hang', 'slow-write')).toBe(1);
    expect(write.elapsed).toBeLessThan(150 + 400);
  });

  it('two replicas sharing Redis stay within the vendor\'s rate together; past it, OVERLOADED', async () => {
    const [a, b] = [calls('rate', { requestsPerSecond: 5 }), calls('rate', { requestsPerSecond: 5 })];
    // Both connected to Redis before the burst (a replica long started).
    await Promise.all([a, b].map((r, i) => within(2_000, () => r.call({ op: 'warm', kind: 'read' }, (c) => get(`/ok?key=warm${i}`, c)))));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => within(1_500, () => (i % 2 ? a : b).call({ op: 'charges.list', kind: 'read' }, (c) => get('/ok?key=rate', c))).catch((e: AppError) => e)),
    );
    const served = vendor.count('/ok', 'rate');
    const refused = burst.filter((r) => r instanceof AppError);
    // Within 1.5 s a limit of 5/s in 1 s windows lets at most two windows' worth through, both replicas
    // together (each alone would have let as many); at least the first window's.
    expect(served).toBeLessThanOrEqual(10);
    expect(served).toBeGreaterThanOrEqual(5);
    expect(burst.length - refused.length).toBe(served);
    expect(refused.every((e) => (e as AppError).code === ErrorCode.OVERLOADED && (e as AppError).details.service === 'payments')).toBe(true);
  });

  it('calls the vendor while Redis is unreachable, the rate then kept in process', async () => {
    const offline = calls('offline', { redisUrl: 'redis://127.0.0.1:1', requestsPerSecond: 2 });
    const results = await Promise.all([1, 2, 3].map(() => within(500, () => offline.call({ op: 'charges.list', kind: 'read' }, (c) => get('/ok?key=offline', c))).catch((e: AppError) => e)));
    expect(results.filter((r) => !(r instanceof AppError))).toHaveLength(2);
    expect(results.filter((r) => r instanceof AppError && r.code === ErrorCode.OVERLOADED)).toHaveLength(1);
    expect(vendor.count('/ok', 'offline')).toBe(2);
  });

  it('never puts the vendor\'s body in an error or a log, nor the idempotency key in a log', async () => {
    const before = lines.length;
    const refusals = calls('bodies');
    const errors = await Promise.all(
      [400, 404, 409, 500, 429].map((code) =>
        within(3_000, () => refusals.call({ op: 'refunds.create', kind: 'write', idempotent: true }, (c) => get(`/status?key=body&code=${code}`, c))).catch((e: AppError) => e),
      ),
    );
    expect(errors.map((e) => (e as AppError).code)).toEqual([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.BACKEND_UNAVAILABLE, ErrorCode.OVERLOADED]);
    for (const error of errors) {
      expect(error).toBeInstanceOf(AppError);
      expect(JSON.stringify({ message: (error as AppError).message, details: (error as AppError).details })).not.toMatch(/VENDOR-SAYS|4242|cus_secret/);
      expect((error as AppError).cause).toBeUndefined();
    }
    const logged = lines.slice(before).join('\n');
    expect(logged).toContain('"vendor":"bodies"');
    expect(logged).not.toMatch(/VENDOR-SAYS|4242|cus_secret|idem-key/);
  });
});
