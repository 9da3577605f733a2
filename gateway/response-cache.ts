import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { invalidatedTier, type Cache } from '../subgraphs/shared/cache';
import type { Logger } from '../subgraphs/shared/logger';
import { cacheResult, operationLabel } from '../subgraphs/shared/metrics';
import type { AuditedReads } from './audit';

/** What an answer depends on, gathered from its subgraph fetches as they come back. */
export interface AnswerPolicy {
  /** When the shortest-lived part expires (ms since epoch). */
  expiresAt: number;
  tags: Set<string>;
}

export const openAnswerPolicy = (): AnswerPolicy => ({ expiresAt: Infinity, tags: new Set() });

/**
 * Adds one subgraph fetch to the answer's policy: its `extensions.cache` (maxAge counted from when
 * it was read, so less its `Age` when the gateway reused it) and tags. Null once any fetch may not
 * be reused: the whole answer may not either.
 */
export function noteFetch(policy: AnswerPolicy | null, extensions: Record<string, unknown> | undefined, age: string | null | undefined): AnswerPolicy | null {
  const cache = extensions?.cache as { maxAge?: unknown; tags?: unknown } | undefined;
  if (!policy || typeof cache?.maxAge !== 'number' || cache.maxAge <= 0 || !Array.isArray(cache.tags)) return null;
  policy.expiresAt = Math.min(policy.expiresAt, Date.now() + (cache.maxAge - (Number(age) || 0)) * 1000);
  for (const tag of cache.tags) policy.tags.add(String(tag));
  return policy;
}

/** What the response cache needs of the gateway's request context. */
export interface ResponseCacheContext {
  /** The client sent Cache-Control: no-cache. */
  fresh: boolean;
  /** The caller's stable identity (kind, id, channel, session customer): part of the key, since scope and masking depend on who asks. */
  callerKey: string;
  audit: AuditedReads;
  stale: unknown[];
  /** The answer's policy so far; null when it may not be stored. */
  answer: AnswerPolicy | null;
  /** Set on a background refresh: its subgraph reads must stay fresh this many seconds more. */
  refreshAhead?: number;
}

interface StoredAnswer {
  data: Record<string, unknown>;
  /** The answer as Apollo writes it (`{"data":…}` and a newline), serialised on its first warm hit. */
  body?: string;
  /** The profile reads the answer holds: written to the audit log again each time it is served. */
  audit: AuditedReads;
  /** Not refreshed before this (ms since epoch): half its life, so a burst of turns refreshes nothing. */
  refreshFrom: number;
  /** When it was last served (or read): the gap to the next turn predicts the turn after. */
  lastServed: number;
  /** How many gaps before expiry a turn refreshes it; over one, so when no refresh can start at once the next turn may still be in time. */
  lead: number;
}

/** The cache key of an answer: the operation (its text's SHA-256, as Apollo's queryHash), its name as sent, its variables, the caller. */
export const answerKey = (queryHash: string, operationName: string | null | undefined, variables: unknown, callerKey: string) =>
  createHash('sha256').update(`${queryHash}\n${operationName ?? ''}\n${JSON.stringify(variables ?? {})}\n${callerKey}`).digest('base64url');

/** A warm answer as served: its bytes, the profile reads to write to the audit log, and its age in seconds (the Age header). */
export interface WarmAnswer {
  data: Record<string, unknown>;
  body: () => string;
  audit: AuditedReads;
  age: string;
}

/** The whole-answer cache: its Apollo plugin, and `hit` for requests answered before the pipeline (see warm-hits.ts). */
export interface ResponseCache<TContext extends ResponseCacheContext> {
  plugin: ApolloServerPlugin<TContext>;
  /** The answer stored under `key`, still fresh, or undefined; schedules its background refresh (as the caller `context()`) when due. */
  hit(key: string, request: { query: string; operationName?: string; variables?: Record<string, unknown> }, context: () => TContext): WarmAnswer | undefined;
}

/**
 * Whole answers of queries, kept by the caller, the operation and its variables for as long as
 * their shortest-lived subgraph part, and dropped on that part's tag invalidations (here and, over
 * Redis, from every replica): a voice turn that repeats the last one costs a lookup, not a query
 * plan's fetches and merge. An answer read across an invalidation of one of its tags is not kept.
 * Errors, stale parts, mutations and no-cache requests are never stored. An answer is served and
 * refreshed in the background (once per key, `maxRefreshes` at a time, so refreshes never crowd
 * out callers) at the caller's last turn expected before it expires, asking every part to stay
 * fresh a whole life more (min-fresh): each caller's next turn finds it fresh instead of waiting
 * for a cold read, and its parts are reloaded together, once per life.
 */
export function createResponseCache<TContext extends ResponseCacheContext>(options: {
  invalidations: Pick<Cache, 'onInvalidate'>;
  /** Runs the request again, unseen, with `refreshAhead` set: its answer replaces the entry. */
  refresh: (request: { query: string; operationName?: string; variables?: Record<string, unknown> }, context: TContext, minFreshSeconds: number) => Promise<unknown>;
  maxEntries?: number;
  maxRefreshes?: number;
  logger: Logger;
}): ResponseCache<TContext> {
  const tier = invalidatedTier(options.maxEntries ?? 10_000, options.invalidations);
  const refreshing = new Set<string>();
  const maxRefreshes = options.maxRefreshes ?? 4;

  function hit(key: string, request: { query: string; operationName?: string; variables?: Record<string, unknown> }, context: () => TContext): WarmAnswer | undefined {
    const found = tier.get(key);
    const now = Date.now();
    if (!found || found.expiresAt <= now) return undefined;
    cacheResult('response', operationLabel(request.operationName), 'hit').inc();
    const stored = found.value as StoredAnswer;
    // A refresh per life, as late as the caller's pace allows: a caller taking a turn every
    // 3 s refreshes a 30 s answer at about 80% of its life, not at half (a third more reads
    // for nothing); one whose turns are further apart than half its life, at the first turn past half.
    const gap = now - stored.lastServed;
    stored.lastServed = now;
    const due = now >= stored.refreshFrom && now + gap * stored.lead >= found.expiresAt;
    if (due && !refreshing.has(key) && refreshing.size < maxRefreshes) {
      refreshing.add(key);
      options
        .refresh(request, context(), Math.max(1, Math.floor((found.expiresAt - found.storedAt) / 1000)))
        .catch((err) => options.logger.warn({ err: (err as Error).message }, 'background refresh of an answer failed'))
        .finally(() => refreshing.delete(key));
    }
    return {
      data: stored.data,
      body: () => (stored.body ??= `${JSON.stringify({ data: stored.data })}\n`),
      audit: stored.audit,
      age: String(Math.floor((now - found.storedAt) / 1000)),
    };
  }

  const plugin: ApolloServerPlugin<TContext> = {
    async requestDidStart() {
      const readSince = Date.now();
      let key: string | undefined;
      return {
        async responseForOperation({ operation, request, queryHash, source, contextValue }) {
          if (operation.operation !== 'query' || contextValue.fresh || !contextValue.callerKey || !queryHash) {
            contextValue.answer = null;
            return null;
          }
          const answerAt = (key = answerKey(queryHash, request.operationName, request.variables, contextValue.callerKey));
          if (contextValue.refreshAhead) return null;
          const answer = hit(answerAt, { query: source, operationName: request.operationName, variables: request.variables }, () => contextValue);
          if (!answer) {
            // Counted here, once: a request the listener found no answer for comes on to this plugin.
            cacheResult('response', operationLabel(request.operationName), 'miss').inc();
            return null;
          }
          contextValue.answer = null;
          contextValue.audit.push(...answer.audit);
          return { http: { status: undefined, headers: new HeaderMap([['age', answer.age]]) }, body: { kind: 'single', singleResult: { data: answer.data } } };
        },
        async willSendResponse({ response, contextValue }) {
          const policy = contextValue.answer;
          if (!key || !policy || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.length || !result.data || contextValue.stale.length) return;
          if (!Number.isFinite(policy.expiresAt) || policy.expiresAt <= Date.now()) return;
          // The lead is random (1.5 to 2.5 gaps): answers first read together (a wave of new
          // calls) are not all refreshed at the same moment.
          const value: StoredAnswer = {
            data: result.data,
            audit: [...contextValue.audit],
            refreshFrom: readSince + (policy.expiresAt - readSince) / 2,
            lastServed: readSince,
            lead: 1.5 + Math.random(),
          };
          tier.set({ key, value, storedAt: readSince, ttlSeconds: (policy.expiresAt - readSince) / 1000, tags: [...policy.tags] }, policy.expiresAt - Date.now(), policy.expiresAt);
        },
      };
    },
  };
  return { plugin, hit };
}
