import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { CHANNELS } from '../../subgraphs/shared/auth';
import type { Config, Role } from '../../subgraphs/shared/config';
import { ErrorCode } from '../../subgraphs/shared/errors';
import { json, readBody, type Handler } from '../../subgraphs/shared/http';
import type { Logger } from '../../subgraphs/shared/logger';
import { DEADLINE_HEADER } from '../../subgraphs/shared/resilience';
import type { AgentCaller, ToolAnswer, createToolRunner } from './call';
import type { Tool } from './tools';

export type Platform = 'vapi' | 'retell' | 'parloa';
const MAX_BODY_BYTES = 256_000;
/** How old a Retell signature may be: its timestamp is signed, so a replay later is refused. */
const RETELL_SIGNATURE_WINDOW_MS = 5 * 60_000;

export interface VoiceDeps {
  config: Readonly<Config>;
  tools: ReadonlyMap<string, Tool>;
  run: ReturnType<typeof createToolRunner>;
  logger: Logger;
}

/** One tool call as every platform's envelope carries it. */
interface PlatformCall {
  name: string;
  args: unknown;
  callId?: string;
}

// The envelopes, as the platforms document them (zod at the trust boundary; unknown fields pass).
const argsField = z.union([z.record(z.string(), z.unknown()), z.string().transform((s, ctx) => {
  try {
    return JSON.parse(s) as Record<string, unknown>;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'arguments are not JSON' });
    return z.NEVER;
  }
})]);
const vapiBody = z.object({
  message: z.object({
    type: z.literal('tool-calls'),
    call: z.object({ id: z.string().min(1).max(200) }),
    toolCallList: z.array(z.object({ id: z.string().min(1).max(200), function: z.object({ name: z.string(), arguments: argsField.default({}) }) })).min(1).max(10),
  }),
});
const retellBody = z.object({ name: z.string(), call: z.object({ call_id: z.string().min(1).max(200) }), args: argsField.default({}) });
const parloaBody = z.object({
  input: z.record(z.string(), z.unknown()).default({}),
  context: z.object({ callId: z.string().min(1).max(200).optional(), conversationId: z.string().min(1).max(200).optional() }).refine((c) => c.callId ?? c.conversationId, 'context.callId is required'),
});

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Retell's `X-Retell-Signature: v=<ms>,d=<hex HMAC-SHA256 of body + ms, keyed with the API key>`. */
export function signRetell(body: string, apiKey: string, now = Date.now()): string {
  return `v=${now},d=${createHmac('sha256', apiKey).update(body + now).digest('hex')}`;
}
function retellSigned(body: string, header: string | undefined, apiKey: string, now = Date.now()): boolean {
  const match = /^v=(\d+),d=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match || Math.abs(now - Number(match[1])) > RETELL_SIGNATURE_WINDOW_MS) return false;
  return sameSecret(match[2], createHmac('sha256', apiKey).update(body + match[1]).digest('hex'));
}

const send = json;

const agentClaims = z.object({ role: z.enum(['customer', 'agent', 'operations']), sub: z.string().min(1), channel: z.enum(CHANNELS).optional() });

/** The caller a platform's calls act as: its agent token's claims (the gateway verifies the token on every call). */
function callerOf(token: string): AgentCaller {
  const claims = agentClaims.parse(decodeJwt(token));
  return { role: claims.role as Role, id: claims.sub, channel: claims.channel, bearer: token };
}

/**
 * The answer within the platform's deadline: what it waits for (VOICE_DEADLINES_MS, or less if the
 * request asks with X-Deadline-Ms), less a margin for the way back, at most REQUEST_TIMEOUT_MS.
 */
export function budgetMs(platformMs: number, requested: string | string[] | undefined, maxMs: number): number {
  const asked = Number(Array.isArray(requested) ? requested[0] : requested);
  const wait = Number.isFinite(asked) && asked > 0 ? Math.min(asked, platformMs) : platformMs;
  return Math.max(50, Math.min(maxMs, wait - Math.min(300, Math.round(wait * 0.2))));
}

/**
 * POST /tools/vapi, /tools/retell and /tools/parloa/<tool>: each platform's envelope becomes the same
 * tool calls as /mcp, the conversation keyed by the platform's call id. A platform is served only when
 * its secret and agent token are set.
 */
export function createVoiceHandlers(deps: VoiceDeps): Record<string, Handler> {
  const { config } = deps;
  const handlers: Record<string, Handler> = {};

  /** Runs the calls in order (an identify before its verify), each answered or refused in time. */
  const runAll = async (platform: Platform, calls: PlatformCall[], conversation: string, caller: AgentCaller, req: http.IncomingMessage) => {
    const deadline = Date.now() + budgetMs(config.agents.voice[platform].deadlineMs, req.headers[DEADLINE_HEADER], config.resilience.requestTimeoutMs);
    const answers: ToolAnswer[] = [];
    for (const call of calls) {
      const tool = deps.tools.get(call.name);
      const left = deadline - Date.now();
      if (!tool) answers.push({ ok: false, code: ErrorCode.BAD_REQUEST, message: `There is no tool named ${call.name}.` });
      else if (left <= 0) answers.push({ ok: false, code: ErrorCode.BACKEND_TIMEOUT, message: 'The systems did not answer in time: tell the caller you are still checking and try once more.' });
      else answers.push(await deps.run({ caller, conversation: `${platform}:${conversation}`, tool, args: call.args, callId: call.callId, deadlineMs: left }));
    }
    return answers;
  };

  const route = (platform: Platform, handle: (raw: string, req: http.IncomingMessage, res: http.ServerResponse, caller: AgentCaller, url: URL) => Promise<void>): Handler => {
    const { secret, agentToken } = config.agents.voice[platform];
    const caller = callerOf(agentToken!);
    return async (req, res, url) => {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
      let raw: string;
      try {
        raw = await readBody(req, MAX_BODY_BYTES);
      } catch {
        return send(res, 413, { error: 'The body is too large' });
      }
      const authorized =
        platform === 'vapi'
          ? sameSecret(req.headers['x-vapi-secret'] as string | undefined, secret!)
          : platform === 'retell'
            ? retellSigned(raw, req.headers['x-retell-signature'] as string | undefined, secret!)
            : sameSecret(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1], secret!);
      if (!authorized) {
        deps.logger.warn({ platform }, 'voice tool call refused: bad secret or signature');
        return send(res, 401, { error: 'unauthorized' });
      }
      await handle(raw, req, res, caller, url);
    };
  };
  const parse = <T>(schema: z.ZodType<T>, raw: string): T | undefined => {
    try {
      const parsed = schema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };
  const served = (platform: Platform) => Boolean(config.agents.voice[platform].secret && config.agents.voice[platform].agentToken);

  if (served('vapi')) {
    // Vapi: {message: {type: "tool-calls", call, toolCallList}} → {results: [{toolCallId, result | error}]}.
    handlers['/tools/vapi'] = route('vapi', async (raw, req, res, caller) => {
      const body = parse(vapiBody, raw);
      if (!body) return send(res, 400, { error: 'Expected a Vapi tool-calls message' });
      const calls = body.message.toolCallList.map((c) => ({ name: c.function.name, args: c.function.arguments, callId: c.id }));
      const answers = await runAll('vapi', calls, body.message.call.id, caller, req);
      send(res, 200, {
        results: answers.map((a, i) => (a.ok ? { toolCallId: calls[i].callId, result: a.text } : { toolCallId: calls[i].callId, error: `${a.code}: ${a.message}` })),
      });
    });
  }
  if (served('retell')) {
    // Retell custom functions: {name, call, args} → the result the model reads (a string).
    handlers['/tools/retell'] = route('retell', async (raw, req, res, caller) => {
      const body = parse(retellBody, raw);
      if (!body) return send(res, 400, { error: 'Expected a Retell function call {name, call, args}' });
      const [answer] = await runAll('retell', [{ name: body.name, args: body.args }], body.call.call_id, caller, req);
      send(res, 200, answer.ok ? { result: answer.text, data: answer.structured } : { result: answer.message, error: { code: answer.code, message: answer.message } });
    });
  }
  if (served('parloa')) {
    // Parloa services: POST /tools/parloa/<tool> {input, context} → {choice, output}.
    handlers['/tools/parloa/'] = route('parloa', async (raw, req, res, caller, url) => {
      const body = parse(parloaBody, raw);
      if (!body) return send(res, 400, { error: 'Expected a Parloa service call {input, context: {callId}}' });
      const name = url.pathname.slice('/tools/parloa/'.length);
      const [answer] = await runAll('parloa', [{ name, args: body.input }], (body.context.callId ?? body.context.conversationId)!, caller, req);
      send(res, 200, answer.ok ? { choice: 'success', output: { text: answer.text, ...answer.structured } } : { choice: 'error', output: { code: answer.code, text: answer.message } });
    });
  }
  return handlers;
}
