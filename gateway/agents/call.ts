import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Channel } from '../../subgraphs/shared/auth';
import { SESSION_HEADER } from '../../subgraphs/shared/auth';
import type { Role } from '../../subgraphs/shared/config';
import { ErrorCode } from '../../subgraphs/shared/errors';
import type { Logger } from '../../subgraphs/shared/logger';
import { DEADLINE_HEADER } from '../../subgraphs/shared/resilience';
import type { ConversationState, ConversationStore } from './session';
import { HELD_ANSWERS, type Tool } from './tools';

/** Who calls a tool: the verified bearer token, passed through to /graphql as it came. */
export interface AgentCaller {
  role: Role;
  id: string;
  channel?: Channel;
  bearer: string;
}

export interface ToolCall {
  caller: AgentCaller;
  /** The conversation: the MCP session id or the platform's call id (scoped to the caller here). */
  conversation: string;
  tool: Tool;
  args: unknown;
  /** The platform's id of this tool call, when it has one: a retry with the same id writes once. */
  callId?: string;
  /** How long the answer may take (ms): sent as X-Deadline-Ms, and the call gives up at it. */
  deadlineMs?: number;
}

/** A tool's answer: the data (text and structured), or a coded error with one speakable instruction. */
export type ToolAnswer =
  | { ok: true; text: string; structured: Record<string, unknown>; partial?: string[] }
  | { ok: false; code: string; message: string };

/** What the model is told to do for each code: one line, safe to say out loud. */
const INSTRUCTIONS: Partial<Record<string, string>> = {
  [ErrorCode.VERIFICATION_REQUIRED]: 'The caller is not verified: identify them, then verify them with verify_caller.',
  [ErrorCode.VERIFICATION_EXPIRED]: "The caller's verification has ended: verify the caller again (identify them, then verify_caller).",
  [ErrorCode.NOT_FOUND]: 'Nothing was found for this customer with these ids.',
  [ErrorCode.FORBIDDEN]: 'This is not allowed for this caller.',
  [ErrorCode.RATE_LIMITED]: 'Too many requests right now: wait a moment, then try once more.',
  [ErrorCode.OVERLOADED]: 'The system is busy right now: wait a moment, then try once more.',
  [ErrorCode.BACKEND_UNAVAILABLE]: 'A system this needs is unavailable right now: tell the caller and try again in a moment.',
  [ErrorCode.BACKEND_TIMEOUT]: 'The systems did not answer in time: tell the caller you are still checking and try once more.',
  [ErrorCode.INTERNAL_SERVER_ERROR]: 'Something went wrong on our side: try once more, then hand over to a person.',
};
/** Codes whose graph message says what to change (an argument, a conflicting key): it is passed on. */
const MESSAGE_CODES = new Set<string>([ErrorCode.BAD_USER_INPUT, ErrorCode.CONFLICT, ErrorCode.FORBIDDEN, 'GRAPHQL_VALIDATION_FAILED']);

const fail = (code: string, message: string): ToolAnswer => ({ ok: false, code, message: message.replace(/\s+/g, ' ').trim() });

const ajv = new Ajv({ allErrors: false, strict: false });
addFormats(ajv);

/** `input.items[0].quantity` from ajv's `/input/items/0/quantity`, plus a missing or unknown property's name. */
function argumentOf(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1);
  const extra = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '') || '(arguments)';
}

/** Removes the answer fields the model never sees (HELD_ANSWERS), at any depth. */
function withoutHeld(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHeld);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !(HELD_ANSWERS as readonly string[]).includes(k)).map(([k, v]) => [k, withoutHeld(v)]));
}

/** Same input, same key: JSON with sorted keys. */
const canonical = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(canonical).join(',')}]` : value && typeof value === 'object' ? `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}` : JSON.stringify(value);

/**
 * Runs tools as the caller: arguments checked against the tool's schema, held arguments filled in
 * from the caller and the conversation, the named operation sent to the gateway's own /graphql
 * (every check of the HTTP path holds: auth, allow-list, limits, rate), the answer cut to what the
 * model may see. Shared by the MCP server and the voice platforms' webhooks.
 */
export function createToolRunner(deps: { graphqlUrl: () => string; store: ConversationStore; logger: Logger }) {
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (tool: Tool) => {
    let v = validators.get(tool.name);
    if (!v) validators.set(tool.name, (v = ajv.compile(tool.inputSchema)));
    return v;
  };

  return async function run(call: ToolCall): Promise<ToolAnswer> {
    const { tool, caller } = call;
    if (!tool.roles.includes(caller.role)) return fail(ErrorCode.FORBIDDEN, `A ${caller.role} may not use ${tool.name}.`);
    const args = (call.args ?? {}) as Record<string, unknown>;
    const validate = validatorOf(tool);
    if (!validate(args)) {
      const error = validate.errors![0];
      return fail(ErrorCode.BAD_USER_INPUT, `Argument ${argumentOf(error)} ${error.message ?? 'is not valid'}: correct it and call ${tool.name} again.`);
    }
    const key = `${caller.role}:${caller.id}:${call.conversation}`;
    const state = await deps.store.get(key);
    const asAgent = caller.role === 'agent';
    if (asAgent && tool.needsSession && !state.verified) return fail(ErrorCode.VERIFICATION_REQUIRED, INSTRUCTIONS.VERIFICATION_REQUIRED!);
    if (asAgent && tool.needsSession && Date.parse(state.verified!.expiresAt) <= Date.now()) return fail(ErrorCode.VERIFICATION_EXPIRED, INSTRUCTIONS.VERIFICATION_EXPIRED!);

    const variables = structuredClone(args);
    for (const path of tool.heldPaths) {
      const name = path[path.length - 1];
      const holder = (path.length === 1 ? variables : (variables[path[0]] as Record<string, unknown> | undefined)) ?? undefined;
      if (!holder) continue;
      let value: unknown;
      switch (name) {
        case 'customerId':
          value = asAgent ? state.verified?.customerId : caller.id;
          break;
        case 'channel':
        case 'fromChannel':
          value = asAgent ? caller.channel : 'PORTAL';
          break;
        case 'agentId':
          value = asAgent ? caller.id : undefined;
          break;
        case 'identification': {
          const callerId = (holder as { callerId?: string }).callerId ?? '';
          value = state.identified[callerId]?.identification;
          if (!value) return fail(ErrorCode.BAD_USER_INPUT, `Identify caller ${callerId} first (identify_by_order_number, identify_by_phone or identify_by_email), then call verify_caller with the id it answered.`);
          break;
        }
        case 'idempotencyKey':
          // A retried call (same platform call id, or the same input in the same conversation) writes once.
          value = `agent-${createHash('sha256').update(`${key}\n${tool.name}\n${call.callId ?? canonical(args)}`).digest('base64url').slice(0, 32)}`;
          break;
      }
      if (value !== undefined) holder[name] = value;
    }

    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${caller.bearer}` };
    if (asAgent && tool.needsSession && state.verified) headers[SESSION_HEADER] = state.verified.token;
    if (call.deadlineMs) headers[DEADLINE_HEADER] = String(call.deadlineMs);
    let body: { data?: Record<string, unknown> | null; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[] };
    try {
      const response = await fetch(deps.graphqlUrl(), {
        method: 'POST',
        headers,
        body: JSON.stringify({ operationName: tool.operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: tool.operationId } } }),
        signal: call.deadlineMs ? AbortSignal.timeout(call.deadlineMs) : undefined,
      });
      body = (await response.json()) as typeof body;
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
      deps.logger.warn({ tool: tool.name, err: (err as Error).message }, 'agent tool call failed');
      return fail(timedOut ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_UNAVAILABLE, INSTRUCTIONS[timedOut ? ErrorCode.BACKEND_TIMEOUT : ErrorCode.BACKEND_UNAVAILABLE]!);
    }

    const root = body.data?.[tool.rootField];
    const errors = body.errors ?? [];
    if (root === undefined || (root === null && errors.length)) {
      const code = errors[0]?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR;
      if (code === ErrorCode.VERIFICATION_EXPIRED || code === ErrorCode.VERIFICATION_REQUIRED) await deps.store.set(key, { ...state, verified: undefined });
      const instruction = INSTRUCTIONS[code];
      const message = MESSAGE_CODES.has(code) || !instruction ? `${errors[0]?.message ?? 'The call failed.'}${instruction ? ` ${instruction}` : ''}` : instruction;
      return fail(code, message);
    }

    const next = remember(tool, state, root, variables);
    if (next !== state) await deps.store.set(key, next);
    const structured = withoutHeld(body.data) as Record<string, unknown>;
    const partial = errors.map((e) => `${e.extensions?.code ?? 'ERROR'} at ${(e.path ?? []).join('.')}`);
    const brief = tool.rootField === 'verifiedCustomer' ? (root as { brief?: string } | null)?.brief : undefined;
    const text = brief ?? (root === null ? `Nothing found: no ${tool.rootField} with these ids for this customer.` : JSON.stringify(structured));
    return { ok: true, text, structured, ...(partial.length ? { partial } : {}) };
  };
}

/**
 * What an answer changes in the conversation: identify answers' handles are kept by caller id
 * (identifying someone else ends the verification held); a verification keeps its session, or,
 * failed, ends the one held before.
 */
function remember(tool: Tool, state: ConversationState, root: unknown, variables: Record<string, unknown>): ConversationState {
  const now = Date.now();
  if (tool.rootField.startsWith('identifyBy') && Array.isArray(root)) {
    const matches = root as { identification: string; caller: { id: string } }[];
    const identified = { ...state.identified };
    // The handle lives 10 minutes (IDENTIFICATION_TTL_MS); kept a little shorter here.
    for (const m of matches) identified[m.caller.id] = { identification: m.identification, expiresAt: new Date(now + 9 * 60_000).toISOString() };
    const stillSame = state.verified && matches.some((m) => m.caller.id === state.verified!.customerId);
    return { identified, ...(stillSame ? { verified: state.verified } : {}) };
  }
  if (tool.rootField === 'verifyCaller') {
    const answer = root as { status: string; session?: { token: string; expiresAt: string } | null };
    const customerId = (variables.input as { callerId: string }).callerId;
    if (answer.status === 'VERIFIED' && answer.session) {
      return { identified: state.identified, verified: { token: answer.session.token, customerId, expiresAt: answer.session.expiresAt } };
    }
    return { identified: state.identified };
  }
  return state;
}
