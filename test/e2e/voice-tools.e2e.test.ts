import { randomUUID } from 'node:crypto';
import { mintToken } from '../../gateway/auth';
import { signRetell } from '../../gateway/agents/voice';
import { loadConfig } from '../../subgraphs/shared/config';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type TestStack } from '../helpers/stack';

// Test secrets only: each platform is configured with one, as an operator would.
const SECRETS = { vapi: 'vapi-test-secret-0123456789', retell: 'retell-test-api-key-0123456789', parloa: 'parloa-test-secret-0123456789' };
type Platform = keyof typeof SECRETS;

/** What every platform's answer says, read back from its own shape. */
interface Answer {
  status: number;
  ok: boolean;
  text: string;
  data?: any;
  code?: string;
}

/** Sends one tool call in the platform's recorded request shape, signed as the platform signs it. */
async function send(t: TestStack, platform: Platform, callId: string, name: string, args: Record<string, unknown>, options: { toolCallId?: string; headers?: Record<string, string>; secret?: string } = {}): Promise<Answer> {
  const base = t.stack.url.replace(/\/graphql$/, '');
  const secret = options.secret ?? SECRETS[platform];
  let url = `${base}/tools/${platform}`;
  let body: string;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (platform === 'vapi') {
    body = JSON.stringify({
      message: {
        timestamp: new Date().toISOString(),
        type: 'tool-calls',
        toolCallList: [{ id: options.toolCallId ?? `call_${randomUUID()}`, type: 'function', function: { name, arguments: args } }],
        call: { id: callId, orgId: 'org-test', type: 'inboundPhoneCall' },
        assistant: { name: 'support' },
      },
    });
    headers['x-vapi-secret'] = secret;
  } else if (platform === 'retell') {
    body = JSON.stringify({ name, call: { call_id: callId, agent_id: 'agent-test', call_status: 'ongoing', call_type: 'phone_call' }, args });
    headers['x-retell-signature'] = signRetell(body, secret);
  } else {
    url = `${url}/${name}`;
    body = JSON.stringify({ input: args, context: { callId, tenantId: 'tenant-test', language: 'en-US' } });
    headers.authorization = `Bearer ${secret}`;
  }
  const response = await fetch(url, { method: 'POST', headers, body });
  const json: any = await response.json();
  if (response.status !== 200) return { status: response.status, ok: false, text: JSON.stringify(json) };
  const parse = (text: string) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  if (platform === 'vapi') {
    const [result] = json.results;
    return result.error ? { status: 200, ok: false, text: result.error, code: result.error.split(':')[0] } : { status: 200, ok: true, text: result.result, data: parse(result.result) };
  }
  if (platform === 'retell') return json.error ? { status: 200, ok: false, text: json.result, code: json.error.code } : { status: 200, ok: true, text: json.result, data: json.data };
  const { text, code, ...data } = json.output;
  return json.choice === 'success' ? { status: 200, ok: true, text, data } : { status: 200, ok: false, text, code };
}

describe('voice platforms call the same tools through their own webhooks', () => {
  let t: TestStack;
  beforeAll(async () => {
    const auth = loadConfig({}).auth;
    const agentToken = (sub: string) => mintToken({ role: 'agent', sub, channel: 'VOICE' }, auth, '1h');
    t = await startTestStack({
      customers: 40,
      env: {
        VAPI_SECRET: SECRETS.vapi,
        RETELL_API_KEY: SECRETS.retell,
        PARLOA_SECRET: SECRETS.parloa,
        VAPI_AGENT_TOKEN: await agentToken('vapi-bot'),
        RETELL_AGENT_TOKEN: await agentToken('retell-bot'),
        PARLOA_AGENT_TOKEN: await agentToken('parloa-bot'),
        // Every backend answers 100 ms late: a platform deadline shorter than that must still get an answer in time.
        BACKEND_LATENCY_MS: '100',
        // The return saga crosses three subgraphs: on a loaded test machine it needs more than the 2 s default.
        REQUEST_TIMEOUT_MS: '10000',
        SUBGRAPH_TIMEOUTS_MS: 'default=8000',
        BACKEND_TIMEOUTS_MS: 'default=6000',
      },
    });
  });
  afterAll(() => t?.close());

  /** A customer and an order with an item that can go back, by what the graph itself says. */
  async function returnable(candidates: number[]) {
    for (const index of candidates) {
      const customer = t.data.customers[index];
      for (const order of t.data.orders.filter((o) => o.customerId === customer.id)) {
        const { body } = await t.operation('ReturnEligibility', { orderId: order.id }, await t.asCustomer(customer.id));
        const item = body.data?.order?.returnEligibility.find((e: any) => e.eligible);
        if (item) return { customer, order, item: item.lineItem as { id: string; quantity: number } };
      }
    }
    throw new Error('no customer with a returnable item');
  }

  const stories: [Platform, number[]][] = [
    ['vapi', [ORDER_SCENARIOS.indexOf('delivered')]],
    ['retell', [ORDER_SCENARIOS.indexOf('delivered_final_sale')]],
    ['parloa', Array.from({ length: 20 }, (_, i) => ORDER_SCENARIOS.length + i)],
  ];
  it.each(stories)('%s: identify, verify (wrong, then right), context, escalate, accept, return (retried: once), resolve', async (platform, candidates) => {
    const { customer, order, item } = await returnable(candidates);
    const callId = randomUUID();
    const say = (name: string, args: Record<string, unknown> = {}, options?: { toolCallId?: string }) => send(t, platform, callId, name, args, options);

    const identified = await say('identify_by_email', { email: customer.email });
    expect(identified.ok).toBe(true);
    expect(identified.data.identifyByEmail).toEqual([expect.objectContaining({ caller: expect.objectContaining({ id: customer.id }) })]);
    expect(identified.text).not.toContain('identification');

    const wrong = await say('verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: '00000' } });
    expect(wrong.data.verifyCaller.status).toBe('WRONG_ANSWER');
    const early = await say('customer_context');
    expect([early.ok, early.code]).toEqual([false, 'VERIFICATION_REQUIRED']);
    expect(early.text).toMatch(/verify/);

    const right = await say('verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: customer.addresses.find((a) => a.kind === 'SHIPPING')!.postalCode } });
    expect(right.data.verifyCaller.status).toBe('VERIFIED');
    expect(right.text).not.toMatch(/token|eyJ/);

    const context = await say('customer_context', { locale: 'en-US' });
    expect(context.ok).toBe(true);
    expect(context.text).toContain(customer.firstName);

    const escalated = await say('escalate', { input: { toChannel: 'HUMAN_DESK', intent: 'RETURN', orderId: order.id, lineItemIds: [item.id], stepsTried: ['asked for a return'], failureReason: 'caller wants a person', summary: 'Return one item' } });
    expect(escalated.data.escalate).toMatchObject({ status: 'OPEN', fromChannel: 'VOICE' });
    const handoffId = escalated.data.escalate.id;
    const accepted = await say('accept_handoff', { input: { handoffId } });
    expect(accepted.data.acceptHandoff).toMatchObject({ status: 'ACCEPTED', acceptedBy: `${platform}-bot` });

    // The platform retries the call (its own timeout, a 502): same tool call id for Vapi, same arguments for the others.
    const returnArgs = { input: { orderId: order.id, items: [{ lineItemId: item.id, quantity: 1, reason: 'DOES_NOT_FIT' }] } };
    const first = await say('initiate_return', returnArgs, { toolCallId: 'call_return_1' });
    expect(first.data.initiateReturn).toMatchObject({ status: 'CREATED', return: { rma: expect.any(String) } });
    const retry = await say('initiate_return', returnArgs, { toolCallId: 'call_return_1' });
    expect(retry.data.initiateReturn.return.id).toBe(first.data.initiateReturn.return.id);
    const rows = await t.stack.database.db.selectFrom('oms.returns').select('id').where('orderId', '=', order.id).where('id', '=', first.data.initiateReturn.return.id).execute();
    expect(rows).toHaveLength(1);

    const resolved = await say('resolve_handoff', { input: { handoffId, outcome: 'RESOLVED', summary: 'Return created' } });
    expect(resolved.data.resolveHandoff).toMatchObject({ status: 'RESOLVED' });

    // Another call of the same platform holds nothing of this one's verification.
    const otherCall = await send(t, platform, randomUUID(), 'customer_context', {});
    expect(otherCall.code).toBe('VERIFICATION_REQUIRED');
  });

  it.each(['vapi', 'retell', 'parloa'] as Platform[])('%s: a request with a bad secret or signature is refused; the right one is served', async (platform) => {
    const refused = await send(t, platform, randomUUID(), 'return_policy', { category: 'shoes', country: 'DE' }, { secret: 'not-the-platform-secret-000' });
    expect(refused.status).toBe(401);
    const ok = await send(t, platform, randomUUID(), 'return_policy', { category: 'shoes', country: 'DE' });
    expect(ok.ok).toBe(true);
  });

  it('retell: a signature older than five minutes is refused (a replay)', async () => {
    const body = JSON.stringify({ name: 'return_policy', call: { call_id: 'c1' }, args: { category: 'shoes', country: 'DE' } });
    const response = await fetch(t.stack.url.replace(/\/graphql$/, '/tools/retell'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-retell-signature': signRetell(body, SECRETS.retell, Date.now() - 6 * 60_000) },
      body,
    });
    expect(response.status).toBe(401);
  });

  it('parloa: a deadline shorter than the backends answers with a coded, speakable error within it', async () => {
    // The platform waits 150 ms here; every backend takes 100 ms more than that leaves after the margin.
    const customer = t.data.customers[30];
    const started = Date.now();
    const answer = await send(t, 'parloa', randomUUID(), 'identify_by_email', { email: customer.email }, { headers: { 'x-deadline-ms': '150' } });
    const took = Date.now() - started;
    expect(answer.ok).toBe(false);
    expect(answer.code).toBe('BACKEND_TIMEOUT');
    expect(answer.text).toMatch(/^[A-Z][^{}\[\]]+\.$/);
    // Within the deadline, with room for a loaded test machine's scheduling.
    expect(took).toBeLessThan(150 + 1_000);
  });
});
