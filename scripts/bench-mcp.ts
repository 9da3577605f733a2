import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationId } from '../gateway/persisted';

/** One verified caller: the agent's token, its X-Verified-Session, and the facts that verify it again over MCP. */
export interface BenchCaller {
  bearer: string;
  session: string;
  customer: { id: string; email: string; postalCode: string };
}

export interface LatencySummary {
  count: number;
  errors: number;
  p50: number;
  p99: number;
}

export interface McpBenchResult {
  rate: number;
  durationMs: number;
  graphql: LatencySummary;
  mcp: LatencySummary;
  /** MCP over GraphQL, per percentile (1.25 = a quarter slower). */
  overhead: { p50: number; p99: number };
}

const CONTEXT = readFileSync(join(__dirname, '../schema/operations/CustomerContext.graphql'), 'utf8');
const PROTOCOL_VERSION = '2025-06-18';

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const round = (n: number) => Math.round(n * 100) / 100;

/** Fires `send` at a fixed rate (open loop: a slow answer never delays the next request) and summarises latencies. */
async function atRate(rate: number, durationMs: number, send: (i: number) => Promise<boolean>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let errors = 0;
  const pending: Promise<void>[] = [];
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(
      send(i).then(
        (ok) => {
          if (ok) latencies.push(performance.now() - sent);
          else errors++;
        },
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { count: latencies.length, errors, p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}

const mcpPost = async (url: string, bearer: string, body: unknown, session?: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${bearer}`,
      'mcp-protocol-version': PROTOCOL_VERSION,
      ...(session ? { 'mcp-session-id': session } : {}),
    },
    body: JSON.stringify(body),
  });

/** An MCP conversation for one caller, verified through the tools (the model's way): its session id. */
async function openConversation(mcpUrl: string, caller: BenchCaller): Promise<string> {
  const init = await mcpPost(mcpUrl, caller.bearer, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  const session = init.headers.get('mcp-session-id');
  if (!init.ok || !session) throw new Error(`MCP initialize failed: ${init.status} ${await init.text()}`);
  const tool = async (name: string, args: unknown) => {
    const response = await mcpPost(mcpUrl, caller.bearer, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }, session);
    const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: any; content: { text: string }[] } };
    if (!body.result || body.result.isError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
    return body.result.structuredContent;
  };
  await tool('identify_by_email', { email: caller.customer.email });
  const verified = await tool('verify_caller', { input: { callerId: caller.customer.id, method: 'POSTAL_CODE', answer: caller.customer.postalCode } });
  if (verified.verifyCaller.status !== 'VERIFIED') throw new Error(`could not verify ${caller.customer.id} over MCP`);
  return session;
}

/**
 * The per-turn context as an MCP tool call (`customer_context` at /mcp) beside the same GraphQL call
 * (`CustomerContext` by its persisted id at /graphql, with X-Verified-Session), each at `rate`
 * requests per second for `durationMs` after a warm-up, over the same callers in turn.
 */
export async function benchMcp(options: { graphqlUrl: string; callers: BenchCaller[]; rate?: number; durationMs?: number; warmUpMs?: number }): Promise<McpBenchResult> {
  const { graphqlUrl, callers, rate = 200, durationMs = 20_000, warmUpMs = 3_000 } = options;
  if (!callers.length) throw new Error('benchMcp needs at least one verified caller');
  const mcpUrl = graphqlUrl.replace(/\/graphql$/, '/mcp');
  // One at a time: the setup is not what is measured, and a burst of verifications would only time out.
  const sessions: string[] = [];
  for (const caller of callers) sessions.push(await openConversation(mcpUrl, caller));
  const hash = operationId(CONTEXT);

  const graphqlTurn = async (i: number) => {
    const caller = callers[i % callers.length];
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.bearer}`, 'x-verified-session': caller.session },
      body: JSON.stringify({ operationName: 'CustomerContext', variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    const body = (await response.json()) as { data?: { verifiedCustomer?: unknown }; errors?: unknown[] };
    return response.ok && Boolean(body.data?.verifiedCustomer) && !body.errors;
  };
  const mcpTurn = async (i: number) => {
    const caller = callers[i % callers.length];
    const response = await mcpPost(mcpUrl, caller.bearer, { jsonrpc: '2.0', id: i + 2, method: 'tools/call', params: { name: 'customer_context', arguments: {} } }, sessions[i % callers.length]);
    const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
    return response.ok && Boolean(body.result?.structuredContent) && !body.result?.isError;
  };

  // Warm: every caller's context cached, connections open, code paths compiled; then measured.
  await atRate(rate, warmUpMs, graphqlTurn);
  await atRate(rate, warmUpMs, mcpTurn);
  const graphql = await atRate(rate, durationMs, graphqlTurn);
  const mcp = await atRate(rate, durationMs, mcpTurn);
  return { rate, durationMs, graphql, mcp, overhead: { p50: round(mcp.p50 / graphql.p50), p99: round(mcp.p99 / graphql.p99) } };
}
