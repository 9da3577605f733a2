import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type TestStack } from '../helpers/stack';

/** An MCP client (the SDK's own) connected to the stack's /mcp as the caller these headers name. */
async function connect(t: TestStack, headers: Record<string, string>) {
  const client = new Client({ name: 'e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(t.stack.url.replace(/\/graphql$/, '/mcp')), { requestInit: { headers } }));
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: any };
const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/** A raw JSON-RPC POST to /mcp, for what the SDK's client hides (statuses, headers). */
const post = (t: TestStack, body: unknown, headers: Record<string, string> = {}) =>
  fetch(t.stack.url.replace(/\/graphql$/, '/mcp'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
// The return saga crosses three subgraphs: on a loaded test machine it needs more than the 2 s default.
const LOADED_MACHINE = { REQUEST_TIMEOUT_MS: '10000', SUBGRAPH_TIMEOUTS_MS: 'default=8000', BACKEND_TIMEOUTS_MS: 'default=6000' };
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

describe('the MCP server at /mcp', () => {
  let t: TestStack;
  const clients: Client[] = [];
  const open = async (headers: Record<string, string>) => {
    const client = await connect(t, headers);
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    // Redis: the conversation (the verification held for the model) lives where every replica sees it.
    t = await startTestStack({ customers: 20, redis: true, env: LOADED_MACHINE });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t?.close();
  });

  it('lists each role its tools only, with schemas that hold back what the server fills in', async () => {
    const names = async (headers: Record<string, string>) => (await (await open(headers)).listTools()).tools.map((tool) => tool.name);
    const agentTools = await names(await t.asAgent('VOICE'));
    expect(agentTools).toEqual(expect.arrayContaining(['identify_by_order_number', 'identify_by_phone', 'identify_by_email', 'verify_caller', 'customer_context', 'escalate', 'accept_handoff', 'resolve_handoff', 'initiate_return', 'return_policy']));
    expect(agentTools).not.toContain('contact_rate');
    const customerTools = await names(await t.asCustomer(t.data.customers[0].id));
    expect(customerTools).toEqual(expect.arrayContaining(['my_orders', 'order_page', 'initiate_return', 'escalate', 'return_policy']));
    for (const agentOnly of ['identify_by_email', 'verify_caller', 'customer_context', 'accept_handoff', 'contact_rate']) expect(customerTools).not.toContain(agentOnly);
    expect((await names(await t.asOperations())).sort()).toEqual(['contact_rate', 'return_policy']);

    const { tools } = await (await open(await t.asAgent('VOICE'))).listTools();
    const context = tools.find((tool) => tool.name === 'customer_context')!;
    expect(context.description).toMatch(/every turn/i);
    expect(context.annotations).toMatchObject({ readOnlyHint: true });
    expect(context.outputSchema).toMatchObject({ type: 'object', properties: { verifiedCustomer: { type: 'object' } } });
    expect(tools.find((tool) => tool.name === 'escalate')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    // The model never sends a session, a handle, a customer it was not verified for, or a key.
    expect(JSON.stringify(tools.map((tool) => tool.inputSchema))).not.toMatch(/identification|idempotencyKey|customerId|"channel"|fromChannel|agentId/);
    expect(JSON.stringify(tools.map((tool) => tool.outputSchema))).not.toMatch(/identification|"token"/);
  });

  it('carries a whole call as tool calls: identify, verify (wrong, then right), context, escalate, accept, return, resolve', async () => {
    const customer = t.data.customers[ORDER_SCENARIOS.indexOf('delivered_final_sale')];
    const order = t.data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
    const items = t.data.lineItems.filter((i) => i.orderId === order.id);
    const agent = await open(await t.asAgent('VOICE', { agentId: 'voice-bot' }));

    const identified = await call(agent, 'identify_by_order_number', { orderNumber: order.number });
    expect(identified.isError).toBeFalsy();
    expect(identified.structuredContent.identifyByOrderNumber).toEqual([expect.objectContaining({ caller: expect.objectContaining({ id: customer.id, firstName: customer.firstName }) })]);
    expect(JSON.stringify(identified)).not.toContain('identification');

    const wrong = await call(agent, 'verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: '00000' } });
    expect(wrong.structuredContent.verifyCaller).toMatchObject({ status: 'WRONG_ANSWER', session: null });
    const notYet = await call(agent, 'customer_context');
    expect(notYet.isError).toBe(true);
    expect(textOf(notYet)).toMatch(/^VERIFICATION_REQUIRED: .*verify/);

    const postalCode = customer.addresses.find((a) => a.kind === 'SHIPPING')!.postalCode;
    const right = await call(agent, 'verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: postalCode } });
    expect(right.structuredContent.verifyCaller).toMatchObject({ status: 'VERIFIED', session: { channel: 'VOICE' } });
    expect(JSON.stringify(right)).not.toMatch(/token|eyJ/);

    const context = await call(agent, 'customer_context', { locale: 'en-US' });
    expect(context.isError).toBeFalsy();
    const me = context.structuredContent.verifiedCustomer;
    expect(me.id).toBe(customer.id);
    expect(textOf(context)).toBe(me.brief);
    expect(me.activeOrders.map((o: { number: string }) => o.number)).toContain(order.number);

    const escalated = await call(agent, 'escalate', {
      input: { toChannel: 'HUMAN_DESK', intent: 'RETURN', orderId: order.id, lineItemIds: items.map((i) => i.id), stepsTried: ['asked for a return of both items'], failureReason: 'one item is final sale', summary: 'Wants to return both items' },
    });
    expect(escalated.isError).toBeFalsy();
    expect(escalated.structuredContent.escalate).toMatchObject({ status: 'OPEN', fromChannel: 'VOICE', toChannel: 'HUMAN_DESK' });
    const handoffId = escalated.structuredContent.escalate.id;

    const accepted = await call(agent, 'accept_handoff', { input: { handoffId } });
    expect(accepted.structuredContent.acceptHandoff).toMatchObject({ id: handoffId, status: 'ACCEPTED', acceptedBy: 'voice-bot' });

    const returnArgs = { input: { orderId: order.id, items: [{ lineItemId: items[0].id, quantity: items[0].quantity, reason: 'DOES_NOT_FIT' }] } };
    const returned = await call(agent, 'initiate_return', returnArgs);
    expect(returned.isError ? textOf(returned) : 'ok').toBe('ok');
    expect(returned.structuredContent.initiateReturn).toMatchObject({ status: 'CREATED', return: { rma: expect.any(String) } });
    // The model retries the same call (a timeout on its side): the graph writes once, and answers the same return.
    const retried = await call(agent, 'initiate_return', returnArgs);
    expect(retried.structuredContent.initiateReturn.return.id).toBe(returned.structuredContent.initiateReturn.return.id);
    const rows = await t.stack.database.db.selectFrom('oms.returns').select('id').where('orderId', '=', order.id).execute();
    expect(rows).toHaveLength(1);

    const resolved = await call(agent, 'resolve_handoff', { input: { handoffId, outcome: 'RESOLVED', summary: 'Returned the eligible item; explained final sale' } });
    expect(resolved.structuredContent.resolveHandoff).toMatchObject({ id: handoffId, status: 'RESOLVED', resolution: 'RESOLVED' });
    const after = await call(agent, 'customer_context');
    expect(after.structuredContent.verifiedCustomer.openHandoffs).toEqual([]);
  });

  it('answers nothing of another customer, whatever ids the model sends', async () => {
    const agent = await open(await t.asAgent('CHAT', { agentId: 'chat-bot' }));
    const customer = t.data.customers[0];
    const other = t.data.customers[1];
    const otherOrder = t.data.orders.find((o) => o.customerId === other.id)!;
    await call(agent, 'identify_by_email', { email: customer.email });
    const verified = await call(agent, 'verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: customer.addresses.find((a) => a.kind === 'SHIPPING')!.postalCode } });
    expect(verified.structuredContent.verifyCaller.status).toBe('VERIFIED');

    const page = await call(agent, 'order_page', { orderId: otherOrder.id });
    expect(page.isError).toBeFalsy();
    expect(page.structuredContent).toEqual({ order: null });
    expect(JSON.stringify(page)).not.toContain(otherOrder.number);
    const eligibility = await call(agent, 'return_eligibility', { orderId: otherOrder.id });
    expect(eligibility.structuredContent).toEqual({ order: null });
    const escalation = await call(agent, 'escalate', { input: { toChannel: 'HUMAN_DESK', intent: 'RETURN', orderId: otherOrder.id, stepsTried: [], failureReason: 'x', summary: 'x' } });
    expect(escalation.isError).toBe(true);
    expect(textOf(escalation)).toMatch(/^NOT_FOUND: /);
    // Verifying one caller does not reach another: verify_caller needs that caller identified in this conversation first.
    const switched = await call(agent, 'verify_caller', { input: { callerId: other.id, method: 'POSTAL_CODE', answer: other.addresses[0].postalCode } });
    expect(switched.isError).toBe(true);
    expect(textOf(switched)).toMatch(/^BAD_USER_INPUT: Identify caller/);
    // Identifying someone else ends the verification held for the first customer.
    await call(agent, 'identify_by_email', { email: other.email });
    expect(textOf(await call(agent, 'customer_context'))).toMatch(/^VERIFICATION_REQUIRED: /);
  });

  it('names the argument that breaks the tool’s schema, before anything runs', async () => {
    const agent = await open(await t.asAgent('VOICE'));
    const badEnum = await call(agent, 'verify_caller', { input: { callerId: 'cus_000001', method: 'SHOE_SIZE', answer: '42' } });
    expect(badEnum.isError).toBe(true);
    expect(textOf(badEnum)).toMatch(/^BAD_USER_INPUT: Argument input\.method must be equal to one of the allowed values/);
    const missing = await call(agent, 'identify_by_email', {});
    expect(textOf(missing)).toMatch(/^BAD_USER_INPUT: Argument email /);
    const extra = await call(agent, 'identify_by_email', { email: 'a@example.com', customerId: 'cus_000002' });
    expect(textOf(extra)).toMatch(/^BAD_USER_INPUT: Argument customerId /);
  });

  it('refuses a call without a token or with a bad one (401, RFC 9728 metadata), and a tool outside the role (403)', async () => {
    const none = await post(t, initialize);
    expect(none.status).toBe(401);
    const challenge = none.headers.get('www-authenticate')!;
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1];
    expect(metadataUrl).toMatch(/\/\.well-known\/oauth-protected-resource\/mcp$/);
    const metadata = await (await fetch(metadataUrl)).json();
    expect(metadata).toMatchObject({ resource: t.stack.url.replace(/\/graphql$/, '/mcp'), bearer_methods_supported: ['header'], scopes_supported: ['customer', 'agent', 'operations'] });

    const bad = await post(t, initialize, { authorization: 'Bearer not.a.jwt' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata=".*", error="invalid_token"$/);
    await expect(connect(t, { authorization: 'Bearer not.a.jwt' })).rejects.toMatchObject({ code: 401 });

    const customer = await t.asCustomer(t.data.customers[0].id);
    const started = await post(t, initialize, customer);
    expect(started.status).toBe(200);
    const session = { ...customer, 'mcp-session-id': started.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
    const refused = await post(t, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'accept_handoff', arguments: { input: { handoffId: 'ho_1' } } } }, session);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="agent"/);
  });
});

describe('the MCP server when the verification held for the model expires', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 5, env: { ...LOADED_MACHINE, VERIFIED_SESSION_TTL_SECONDS: '30' } });
  });
  afterAll(() => t?.close());

  it('answers "verify the caller again", then works once the caller is verified again', async () => {
    const client = await connect(t, await t.asAgent('VOICE'));
    const customer = t.data.customers[0];
    const postalCode = customer.addresses.find((a) => a.kind === 'SHIPPING')!.postalCode;
    const verify = async () => {
      await call(client, 'identify_by_email', { email: customer.email });
      return call(client, 'verify_caller', { input: { callerId: customer.id, method: 'POSTAL_CODE', answer: postalCode } });
    };
    expect((await verify()).structuredContent.verifyCaller.status).toBe('VERIFIED');
    expect((await call(client, 'customer_context')).isError).toBeFalsy();
    await new Promise((resolve) => setTimeout(resolve, 31_000));
    const expired = await call(client, 'customer_context');
    expect(expired.isError).toBe(true);
    expect(textOf(expired)).toBe("VERIFICATION_EXPIRED: The caller's verification has ended: verify the caller again (identify them, then verify_caller).");
    expect((await verify()).structuredContent.verifyCaller.status).toBe('VERIFIED');
    expect((await call(client, 'customer_context')).structuredContent.verifiedCustomer.id).toBe(customer.id);
    await client.close();
  }, 90_000);
});
