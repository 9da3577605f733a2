import type { IncomingMessage } from 'node:http';
import { callerKeyOf, type Viewer } from '../subgraphs/shared/auth';
import { loadOperations } from '../schema/operations';
import { AUDIT_UNAVAILABLE } from './audit';
import { operationId } from './persisted';
import { answerKey, type ResponseCache } from './response-cache';
import type { GatewayContext } from './server';

/** An answer written by the listener itself: status, headers and the body's bytes. */
export interface EarlyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The named operation answered (for the access log and the metrics: the body need not name it). */
  operation?: string;
}

/** The parts of a POST body that decide a warm hit; anything else in it is left to Apollo. */
interface GraphQLBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: { persistedQuery?: { version?: unknown; sha256Hash?: unknown } };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Warm whole-answers sent before Apollo's request pipeline, which costs many times a plain HTTP
 * answer's CPU (parse, validation, the plugins' hooks, serialisation). Only where the request
 * alone decides the response cache's key: a POST of a named operation of schema/operations (by its
 * persisted id or its exact text), its variables, and the caller, verified as for any request (token,
 * session, revocation, rate). A stored answer passed every check of the pipeline once for the same
 * caller, operation and variables, so what is left is what depends on the moment: the caller's
 * places in flight (a caller at its limit goes on to the pipeline's refusal) and the audit log,
 * written as for a pipeline hit (group-committed; the answer is withheld when it fails). Headers
 * are the pipeline's: `cache-control: no-store` and the answer's `age`. Any doubt (a miss, another
 * content type asked for, no-cache, an unknown operation, an odd body) goes on to the pipeline.
 */
export function createWarmHits(deps: {
  answers: ResponseCache<GatewayContext>;
  /** Writes a served answer's profile reads to the audit log (audit.ts); rejects when it could not. */
  record: (viewer: Viewer, reads: GatewayContext['audit']) => Promise<void>;
  /** A place in flight for the caller (caller-slots.ts), or null when it has none left. */
  hold?: (viewer: Viewer, key: string) => (() => void) | null;
  /** The named operations by name (schema/operations by default). */
  operations?: Record<string, string>;
}) {
  const sources = new Map(Object.entries(deps.operations ?? loadOperations()).map(([name, source]) => [operationId(source), { name, source }]));

  /** The named operation a body runs, with its id (Apollo's queryHash), or undefined. */
  function namedOperation(body: GraphQLBody): { id: string; source: string; name: string } | undefined {
    const persisted = body.extensions?.persistedQuery;
    if (persisted !== undefined && (!isObject(persisted) || persisted.version !== 1)) return undefined;
    const hash = persisted?.sha256Hash;
    if (typeof body.query === 'string') {
      const id = operationId(body.query);
      const named = sources.get(id);
      return named && (hash === undefined || hash === id) ? { id, ...named } : undefined;
    }
    if (body.query !== undefined || typeof hash !== 'string') return undefined;
    const named = sources.get(hash);
    return named ? { id: hash, ...named } : undefined;
  }

  /**
   * The warm answer to this request, or undefined to run it through the pipeline. `viewer` is the
   * request's verified caller (the pipeline reuses the same verification); `context` builds the
   * request's context, only when the answer is due for a background refresh.
   */
  return async function answer(req: IncomingMessage, body: unknown, viewer: Viewer, context: () => GatewayContext): Promise<EarlyAnswer | undefined> {
    if (!isObject(body) || /no-cache/.test(req.headers['cache-control'] ?? '')) return undefined;
    // Apollo answers `application/json` unless the client asks for the GraphQL media type.
    const accept = req.headers.accept;
    if (accept && accept !== '*/*' && !/^application\/json\b/.test(accept)) return undefined;
    const { operationName, variables } = body as GraphQLBody;
    if ((operationName !== undefined && operationName !== null && typeof operationName !== 'string') || (variables !== undefined && variables !== null && !isObject(variables))) return undefined;
    const operation = namedOperation(body as GraphQLBody);
    if (!operation) return undefined;
    const callerKey = callerKeyOf(viewer);
    const release = deps.hold ? deps.hold(viewer, callerKey) : () => undefined;
    if (!release) return undefined;
    try {
      const key = answerKey(operation.id, operationName as string | undefined, variables, callerKey);
      const request = { query: operation.source, operationName: (operationName ?? undefined) as string | undefined, variables: (variables ?? undefined) as Record<string, unknown> | undefined };
      const hit = deps.answers.hit(key, request, context);
      if (!hit) return undefined;
      const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', age: hit.age };
      if (hit.audit.length) {
        try {
          await deps.record(viewer, hit.audit);
        } catch {
          return { status: 200, headers, body: `${JSON.stringify({ errors: [AUDIT_UNAVAILABLE] })}\n`, operation: operation.name };
        }
      }
      return { status: 200, headers, body: hit.body(), operation: operation.name };
    } finally {
      release();
    }
  };
}

export type WarmHits = ReturnType<typeof createWarmHits>;
