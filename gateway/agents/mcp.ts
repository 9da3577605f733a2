import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { CallToolRequestSchema, ErrorCode as McpErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GraphQLError } from 'graphql';
import type { Config, Role } from '../../subgraphs/shared/config';
import { json, readBody, type Handler } from '../../subgraphs/shared/http';
import type { Viewer } from '../../subgraphs/shared/auth';
import type { AgentCaller, ToolAnswer, createToolRunner } from './call';
import type { ConversationStore } from './session';
import { toolsFor, type Tool } from './tools';

const MCP_PATH = '/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource';
const SESSION_ID_HEADER = 'mcp-session-id';
const MAX_BODY_BYTES = 1_000_000;

export interface McpDeps {
  config: Readonly<Config>;
  tools: ReadonlyMap<string, Tool>;
  run: ReturnType<typeof createToolRunner>;
  store: ConversationStore;
  /** The gateway's caller check (gateway/auth.ts): the same JWTs as /graphql. */
  authenticate: (req: http.IncomingMessage) => Promise<Viewer>;
}

/** An answer as MCP's CallToolResult: the text (the brief, or the JSON) plus the structured data, or a tool error. */
export function toCallToolResult(answer: ToolAnswer): CallToolResult {
  if (!answer.ok) return { isError: true, content: [{ type: 'text', text: `${answer.code}: ${answer.message}` }] };
  const content: CallToolResult['content'] = [{ type: 'text', text: answer.text }];
  if (answer.partial) content.push({ type: 'text', text: `Some parts could not be completed (null in the answer): ${answer.partial.join('; ')}` });
  return { content, structuredContent: answer.structured };
}

const publicUrl = (config: Readonly<Config>, req: http.IncomingMessage) =>
  config.agents.resourceUrl ?? `http://${req.headers.host ?? `${config.host}:${config.gatewayPort}`}${MCP_PATH}`;
const metadataUrl = (resource: string) => {
  const url = new URL(resource);
  return `${url.origin}${METADATA_PATH}${url.pathname === '/' ? '' : url.pathname}`;
};

const send = json;

const isRequest = (message: unknown, method: string): message is { method: string; params?: { name?: string } } =>
  Boolean(message) && typeof message === 'object' && (message as { method?: unknown }).method === method;

/**
 * The MCP server (Streamable HTTP, JSON answers) at /mcp and its RFC 9728 metadata. Every request
 * is authenticated like /graphql; a role sees and may call only its tools. Each request gets a
 * fresh server and transport (stateless): the conversation lives in the store under the caller and
 * the Mcp-Session-Id this server issued at `initialize`, so any replica can answer any request.
 */
export function createMcpHandlers(deps: McpDeps): Record<string, Handler> {
  // One for every request's server: each would otherwise build its own Ajv (about 2 ms a request).
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  const scopes: Role[] = ['customer', 'agent', 'operations'];
  const metadata: Handler = (req, res) =>
    send(res, 200, {
      resource: publicUrl(deps.config, req),
      authorization_servers: deps.config.agents.authorizationServers,
      bearer_methods_supported: ['header'],
      scopes_supported: scopes,
      resource_name: 'Customer-context graph (MCP)',
    });

  const mcp: Handler = async (req, res) => {
    const resource = publicUrl(deps.config, req);
    const challenge = (error?: string) => `Bearer resource_metadata="${metadataUrl(resource)}"${error ? `, error="${error}"` : ''}`;
    let viewer: Viewer;
    try {
      if (deps.config.auth.disabled) throw new GraphQLError('The MCP server needs a caller token', { extensions: { code: 'UNAUTHENTICATED' } });
      viewer = await deps.authenticate(req);
    } catch (err) {
      const code = (err as GraphQLError).extensions?.code;
      if (code === 'RATE_LIMITED') return send(res, 429, { error: 'rate_limited', error_description: (err as Error).message });
      if (code === 'FORBIDDEN') return send(res, 403, { error: 'insufficient_scope', error_description: (err as Error).message }, { 'www-authenticate': challenge('insufficient_scope') });
      const hasToken = /^Bearer\s+\S+$/i.test(req.headers.authorization ?? '');
      return send(res, 401, { error: hasToken ? 'invalid_token' : 'invalid_request', error_description: (err as Error).message }, { 'www-authenticate': challenge(hasToken ? 'invalid_token' : undefined) });
    }
    if (viewer.kind === 'service') return send(res, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge('invalid_token') });
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')![1];
    const caller: AgentCaller = { role: viewer.kind, id: viewer.id, channel: viewer.kind === 'agent' ? viewer.channel : undefined, bearer };
    const sessionId = req.headers[SESSION_ID_HEADER] as string | undefined;

    if (req.method === 'DELETE') {
      if (sessionId) await deps.store.delete(`${caller.role}:${caller.id}:${sessionId}`);
      return send(res, 200, {});
    }
    // No server-initiated messages: nothing to stream on GET (the client then only POSTs).
    if (req.method !== 'POST') return send(res, 405, { error: 'POST or DELETE' }, { allow: 'POST, DELETE' });

    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, MAX_BODY_BYTES));
    } catch {
      return send(res, 400, { jsonrpc: '2.0', id: null, error: { code: McpErrorCode.ParseError, message: 'The body is not JSON (or larger than 1 MB)' } });
    }
    const messages = Array.isArray(body) ? body : [body];
    const allowed = new Map(toolsFor(deps.tools, caller.role).map((t) => [t.name, t]));
    const refused = messages.find((m) => isRequest(m, 'tools/call') && deps.tools.has(m.params?.name ?? '') && !allowed.has(m.params!.name!));
    if (refused) {
      const tool = deps.tools.get((refused as { params: { name: string } }).params.name)!;
      return send(res, 403, { error: 'insufficient_scope', error_description: `${tool.name} needs the scope ${tool.roles.join(' or ')}` }, { 'www-authenticate': `${challenge('insufficient_scope')}, scope="${tool.roles.join(' ')}"` });
    }
    let conversation = sessionId;
    if (messages.some((m) => isRequest(m, 'initialize'))) {
      conversation = randomUUID();
      res.setHeader(SESSION_ID_HEADER, conversation);
    } else if (!conversation) {
      return send(res, 400, { jsonrpc: '2.0', id: null, error: { code: McpErrorCode.InvalidRequest, message: 'Mcp-Session-Id header is required (initialize first)' } });
    }

    const server = new Server({ name: 'customer-context-graph', version: '1.0.0' }, { capabilities: { tools: { listChanged: false } }, jsonSchemaValidator });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [...allowed.values()].map((t) => ({
        name: t.name,
        title: t.annotations.title,
        description: t.description,
        inputSchema: t.inputSchema as { type: 'object' },
        outputSchema: t.outputSchema as { type: 'object' },
        annotations: t.annotations,
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = allowed.get(request.params.name);
      if (!tool) throw new McpError(McpErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
      return toCallToolResult(await deps.run({ caller, conversation: conversation!, tool, args: request.params.arguments ?? {} }));
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  return { [MCP_PATH]: mcp, [METADATA_PATH]: metadata, [`${METADATA_PATH}/`]: metadata };
}
