import { ErrorCode, AppError } from './errors';
import { createLogger } from './logger';
import { RequestDeadlineError, requestDeadline } from './resilience';
import { createVendorCallFactory, failureFromHttp, type VendorFailure } from './vendor';

describe('failureFromHttp', () => {
  it('reads what each HTTP answer means, with Retry-After in seconds or as an HTTP-date', () => {
    expect(failureFromHttp(429, { 'Retry-After': '2' })).toEqual({ kind: 'rate_limited', status: 429, retryAfterMs: 2000 });
    expect(failureFromHttp(429, { 'retry-after': ['0.5'] })).toEqual({ kind: 'rate_limited', status: 429, retryAfterMs: 500 });
    expect(failureFromHttp(429, new Headers({ 'retry-after': '3' }) as unknown as Record<string, unknown>)).toEqual({ kind: 'rate_limited', status: 429, retryAfterMs: 3000 });
    const at = failureFromHttp(429, { 'retry-after': new Date(Date.now() + 5_000).toUTCString() });
    // An HTTP-date has whole seconds: between 4 and 5 s from now.
    expect(at.retryAfterMs).toBeGreaterThan(3_900);
    expect(at.retryAfterMs).toBeLessThanOrEqual(5_000);
    expect(failureFromHttp(429, { 'retry-after': new Date(Date.now() - 60_000).toUTCString() }).retryAfterMs).toBe(0);
    expect(failureFromHttp(429, { 'retry-after': 'soon' })).toEqual({ kind: 'rate_limited', status: 429 });
    expect(failureFromHttp(429)).toEqual({ kind: 'rate_limited', status: 429 });

    expect(failureFromHttp(503, { 'retry-after': '1' })).toEqual({ kind: 'unavailable', status: 503, retryAfterMs: 1000 });
    expect(failureFromHttp(500).kind).toBe('unavailable');
    expect(failureFromHttp(502).kind).toBe('unavailable');
    expect(failureFromHttp(504).kind).toBe('timeout');
    expect(failureFromHttp(408).kind).toBe('timeout');
    expect(failureFromHttp(404).kind).toBe('not_found');
    expect(failureFromHttp(410).kind).toBe('not_found');
    expect(failureFromHttp(409).kind).toBe('conflict');
    expect(failureFromHttp(412).kind).toBe('conflict');
    expect(failureFromHttp(400).kind).toBe('invalid');
    expect(failureFromHttp(422).kind).toBe('invalid');
    expect(failureFromHttp(401).kind).toBe('other');
    expect(failureFromHttp(403).kind).toBe('other');
    expect(failureFromHttp(undefined, undefined, true)).toEqual({ kind: 'unavailable' });
    expect(failureFromHttp()).toEqual({ kind: 'other' });
  });
});

describe('vendor calls without Redis', () => {
  const factory = createVendorCallFactory({ service: 'orders', namespace: 'unit', backendTimeoutMs: 1_000, logger: createLogger('test', 'silent') });
  afterAll(() => factory.close());

  it('says whether an adapter asked for a vendor\'s calls (a SQL system never does)', () => {
    const unused = createVendorCallFactory({ service: 'orders', namespace: 'unit', backendTimeoutMs: 1_000, logger: createLogger('test', 'silent') });
    expect(unused.used()).toBe(false);
    unused({ vendor: 'unit', requestsPerSecond: 1, classify: () => ({ kind: 'other' }) });
    expect(unused.used()).toBe(true);
  });
  const failing = (failure: VendorFailure) => factory({ vendor: `unit-${failure.kind}`, requestsPerSecond: 100, classify: () => failure });
  const refusal = (failure: VendorFailure) =>
    failing(failure)
      .call({ op: 'get', kind: 'read' }, async () => Promise.reject(new Error('vendor text')))
      .catch((err: AppError) => ({ code: err.code, details: err.details, message: err.message }));

  it('maps each failure to the closed set of codes, naming the service and never the vendor\'s text', async () => {
    expect(await refusal({ kind: 'not_found', status: 404 })).toEqual({ code: ErrorCode.NOT_FOUND, details: { service: 'orders' }, message: expect.any(String) });
    expect((await refusal({ kind: 'conflict', status: 409 })).code).toBe(ErrorCode.CONFLICT);
    expect((await refusal({ kind: 'invalid', status: 400, code: 'parameter_missing' })).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    expect((await refusal({ kind: 'other' })).code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
    const unavailable = await refusal({ kind: 'unavailable', status: 503 });
    expect(unavailable).toMatchObject({ code: ErrorCode.BACKEND_UNAVAILABLE, details: { service: 'orders', retryable: true } });
    expect(unavailable.message).not.toContain('vendor text');
  });

  it('a time-out the vendor answered (a 504) counts against it even within a short request deadline', async () => {
    const err = await requestDeadline.run(Date.now() + 300, () => failing({ kind: 'timeout', status: 504 }).call({ op: 'get', kind: 'write' }, async () => Promise.reject(new Error('504'))).catch((e) => e));
    expect(err).toMatchObject({ code: ErrorCode.BACKEND_TIMEOUT, details: { service: 'orders', retryable: true } });
    expect(err).not.toBeInstanceOf(RequestDeadlineError);
  });

  it('lets an AppError the adapter throws pass as it is, and a classify that throws is INTERNAL_SERVER_ERROR', async () => {
    const mine = new AppError(ErrorCode.NOT_FOUND, 'No such order');
    await expect(failing({ kind: 'unavailable' }).call({ op: 'get', kind: 'read' }, async () => Promise.reject(mine))).rejects.toBe(mine);
    const broken = factory({ vendor: 'unit-broken', requestsPerSecond: 100, classify: () => { throw new Error('bug'); } });
    await expect(broken.call({ op: 'get', kind: 'read' }, async () => Promise.reject(new Error('x')))).rejects.toMatchObject({ code: ErrorCode.INTERNAL_SERVER_ERROR });
  });

  it('pages until the vendor says the end, up to a limit, and refuses a cursor that comes back', async () => {
    const calls = factory({ vendor: 'unit-pages', requestsPerSecond: 100, classify: () => ({ kind: 'other' }) });
    const pages: Record<string, { items: number[]; next?: string }> = { start: { items: [1, 2], next: 'b' }, b: { items: [3, 4], next: 'c' }, c: { items: [5] } };
    const seen: (string | undefined)[] = [];
    const page = async ({ cursor }: { cursor?: string }) => (seen.push(cursor), pages[cursor ?? 'start']);
    await expect(calls.paginate('list', page)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([undefined, 'b', 'c']);
    await expect(calls.paginate('list', page, 3)).resolves.toEqual([1, 2, 3]);
    await expect(calls.paginate('list', async () => ({ items: [], next: 'same' }))).rejects.toMatchObject({ code: ErrorCode.INTERNAL_SERVER_ERROR });
    await expect(calls.paginate('list', async () => ({ items: [] }))).resolves.toEqual([]);
  });
});
