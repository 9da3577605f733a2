import { startTestStack, type TestStack } from '../helpers/stack';

/** What an on-call engineer sees of the graph: request ids, the access log, /metrics, handoff health. */
describe('observability', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
  });
  afterAll(() => t?.close());

  const lines = () => t.logLines.map((line) => JSON.parse(line) as Record<string, any>);
  const accessLines = (requestId: string) => lines().filter((l) => l.msg === 'request' && l.requestId === requestId);
  const metrics = async (url: string) => {
    const response = await fetch(new URL('/metrics', url));
    expect(response.status).toBe(200);
    return response.text();
  };
  /** A series' value in Prometheus's text format (0 when absent). */
  const valueOf = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
  // The access log is written when the response has gone out: a moment after the client has it.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('returns the request id it was sent, logs one access line for it at the gateway and at each subgraph it called, and never the token', async () => {
    const agent = await t.verifiedAgent(4);
    const response = await fetch(t.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'turn-4-abc', ...agent },
      body: JSON.stringify({ query: (await import('../../schema/operations')).loadOperations().CustomerContext, operationName: 'CustomerContext', variables: { locale: 'en-US' } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('turn-4-abc');
    await settle();
    const mine = accessLines('turn-4-abc');
    const gateway = mine.filter((l) => l.service === 'gateway');
    expect(gateway).toEqual([expect.objectContaining({ method: 'POST', path: '/graphql', caller: 'agent', operation: 'CustomerContext', status: 200, ms: expect.any(Number) })]);
    // Each subgraph the turn reached logged the same id, with the gateway's name for its fetch.
    const subgraphs = mine.filter((l) => l.subgraph);
    expect(new Set(subgraphs.map((l) => l.subgraph)).size).toBeGreaterThanOrEqual(2);
    for (const line of subgraphs) expect(line).toMatchObject({ path: '/graphql', status: 200, caller: 'agent', operation: expect.stringMatching(/^CustomerContext__/) });
    const token = agent.authorization.slice('Bearer '.length);
    expect(t.logLines.some((l) => l.includes(token) || l.includes(agent['x-verified-session']))).toBe(false);
  });

  it('logs a refused caller too (401), under an id of its own when the one sent is not safe to echo', async () => {
    for (const sent of ['has spaces and <html>', 'x'.repeat(65), undefined]) {
      const response = await fetch(t.stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token', ...(sent ? { 'x-request-id': sent } : {}) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status).toBe(401);
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await settle();
      expect(accessLines(id)).toEqual([expect.objectContaining({ service: 'gateway', status: 401, caller: 'unauthenticated', path: '/graphql' })]);
    }
    expect(t.logLines.some((l) => l.includes('not-a-token'))).toBe(false);
  });

  it('puts the request id on every line logged while the request ran', async () => {
    // An unknown handoff is refused (NOT_FOUND) by the CRM, which logs it.
    const agent = await t.verifiedAgent(6);
    const before = t.logLines.length;
    await fetch(t.stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'turn-6-xyz', ...agent },
      body: JSON.stringify({ query: (await import('../../schema/operations')).loadOperations().AcceptHandoff, variables: { input: { handoffId: 'ho_nope', agentId: 'a', channel: 'VOICE' } } }),
    });
    await settle();
    const during = t.logLines.slice(before).map((l) => JSON.parse(l)).filter((l) => l.requestId === 'turn-6-xyz');
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.every((l) => l.requestId === 'turn-6-xyz')).toBe(true);
  });

  it('serves Prometheus metrics on the gateway and on every subgraph: requests by operation and status, subgraph fetches, caches, breakers, process', async () => {
    const agent = await t.verifiedAgent(8);
    for (let i = 0; i < 3; i++) expect((await t.operation('CustomerContext', { locale: 'en-US' }, agent)).status).toBe(200);
    await t.query('query Whatever { __typename }', {}, agent);
    await settle();
    const text = await metrics(t.stack.url);
    expect(valueOf(text, 'http_request_duration_seconds_count{service="gateway",operation="CustomerContext",status="200"}')).toBeGreaterThanOrEqual(3);
    // An operation outside the named set is "other", whatever its name: the label set stays bounded.
    expect(text).toContain('http_request_duration_seconds_count{service="gateway",operation="other",status="');
    expect(text).not.toContain('operation="Whatever"');
    expect(valueOf(text, 'http_request_duration_seconds_count{service="customers",operation="CustomerContext",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'subgraph_fetches_total{subgraph="customers",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/cache_lookups_total\{cache="entity",type="Customer",result="(hit|miss)"\} [1-9]/);
    expect(valueOf(text, 'circuit_breaker_state{kind="backend",target="customers"}')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    for (const url of Object.values(t.stack.subgraphUrls)) expect(await metrics(url)).toContain('http_request_duration_seconds_bucket');
  });

  it('reports how soon handoffs were accepted and resolved, in ContactRate and as metrics', async () => {
    const customer = t.data.customers[11];
    const escalated = await t.operation(
      'Escalate',
      { input: { customerId: customer.id, fromChannel: 'PORTAL', toChannel: 'VOICE', intent: 'REFUND_STATUS', stepsTried: ['checked refund'], failureReason: 'refund not shown', summary: 'Refund missing', idempotencyKey: 'obs-esc-11' } },
      await t.asCustomer(customer.id),
    );
    const handoffId = escalated.body.data.escalate.id;
    const voice = await t.verifiedAgent(11, 'VOICE', 'voice-1');
    expect((await t.operation('AcceptHandoff', { input: { handoffId, agentId: 'voice-1', channel: 'VOICE' } }, voice)).body.data.acceptHandoff.status).toBe('ACCEPTED');
    // Accepted again by the same agent: harmless, and not counted twice.
    await t.operation('AcceptHandoff', { input: { handoffId, agentId: 'voice-1', channel: 'VOICE' } }, voice);
    const resolve = () => t.operation('ResolveHandoff', { input: { handoffId, agentId: 'voice-1', channel: 'VOICE', outcome: 'RESOLVED', summary: 'Refund re-issued', idempotencyKey: 'obs-res-11' } }, voice);
    expect((await resolve()).body.data.resolveHandoff.status).toBe('RESOLVED');
    await resolve();

    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const { body } = await t.operation('ContactRate', { from, to }, await t.asOperations());
    expect(body.errors).toBeUndefined();
    const pair = body.data.contactRate.handoffs.find((h: any) => h.fromChannel === 'PORTAL' && h.toChannel === 'VOICE');
    expect(pair).toMatchObject({ opened: 1, accepted: 1, resolved: 1 });
    expect(pair.timeToAcceptance.p50Seconds).toBeGreaterThanOrEqual(0);
    expect(pair.timeToResolution.p90Seconds).toBeGreaterThanOrEqual(pair.timeToAcceptance.p90Seconds);

    const text = await metrics(t.stack.url);
    expect(valueOf(text, 'handoff_time_to_accept_seconds_count{from_channel="PORTAL",to_channel="VOICE"}')).toBe(1);
    expect(valueOf(text, 'handoff_time_to_resolve_seconds_count{from_channel="PORTAL",to_channel="VOICE"}')).toBe(1);
    // The writes' outbox reached the cache: the outbox's lag is measured.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(valueOf(await metrics(t.stack.url), 'invalidation_lag_seconds_count{service="customers",source="outbox"}')).toBeGreaterThanOrEqual(1);
  });
});
