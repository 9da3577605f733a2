import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, Lexer, Source, TokenKind, type GraphQLFormattedError } from 'graphql';
import { SUPERGRAPH_PATH } from '../schema/compose';
import { callerKeyOf, TURN_HEADER, VIEWER_HEADER, type Viewer } from '../subgraphs/shared/auth';
import type { Revocations } from '../subgraphs/shared/revocation';
import { randomUUID } from 'node:crypto';
import type { Config, SubgraphName } from '../subgraphs/shared/config';
import { createErrorFormatter, ErrorCode } from '../subgraphs/shared/errors';
import { createRequestListener, operationNamePlugin, READINESS_TIMEOUT_MS, type Handler } from '../subgraphs/shared/http';
import { inputChecksPlugin } from '../subgraphs/shared/inputs';
import { createCachingFetcher } from './fetch-cache';
import { createResponseCache, noteFetch, openAnswerPolicy, type AnswerPolicy } from './response-cache';
import { createSubgraphFetcher, fetchCaller } from './fetcher';
import { budgetFrom, DEADLINE_HEADER } from '../subgraphs/shared/resilience';
import { createAuditLog, readsIn, type AuditedReads } from './audit';
import { createCallerAuth, forwardedCaller, type RateLimitStore } from './auth';
import { httpStatusPlugin } from './http-status';
import { createAllowList, persistedOperationsCache } from './persisted';
import { planNamedOperations } from './warm-up';
import { createCallerSlots } from './caller-slots';
import { createWarmHits, type WarmHits } from './warm-hits';
import { createReadAhead, readAheadPlugin, type Turn } from './read-ahead';
import type { Cache } from '../subgraphs/shared/cache';
import { REQUEST_ID_HEADER, requestScope, type Logger } from '../subgraphs/shared/logger';

export const loadSupergraph = (path = SUPERGRAPH_PATH) => readFileSync(path, 'utf8');

/** What the gateway knows of a request when it calls subgraphs. */
export interface GatewayContext {
  /** The client sent Cache-Control: no-cache: every subgraph reads from its system of record. */
  fresh: boolean;
  viewer: Viewer;
  /** The viewer signed for one subgraph, good for seconds: what every subgraph fetch carries. */
  viewerHeader: (subgraph: string) => string;
  /** Who asks, without the per-request binding: the response cache's key (scope and masking depend on it). */
  callerKey: string;
  /** Customer profile reads the subgraphs reported for this request (the audit log's input). */
  audit: AuditedReads;
  /** When the request must be answered by (ms since epoch): X-Deadline-Ms, at most REQUEST_TIMEOUT_MS. */
  deadline: number;
  /** Parts of the answer served from a stale copy because their subgraph or backend failed. */
  stale: StaleNote[];
  /** What the answer depends on (tags, expiry), for the response cache; null when it may not be stored. */
  answer: AnswerPolicy | null;
  /** Set on the response cache's background refresh: subgraph reads must stay fresh this many seconds. */
  refreshAhead?: number;
  /** A query for one customer while it runs: its fetches sent ahead, its rounds sharing the subgraphs' reads (read-ahead.ts). */
  turn?: Turn;
  /** Audit entries already being written for this request (audit.ts). */
  auditWrites?: { written: Map<string, Set<string>>; pending: Promise<void>[] };
}

/** A part of an answer served from a stale copy: which subgraph, what, and how old. */
export interface StaleNote {
  service: string;
  type: string;
  ageSeconds: number;
}

/** Time kept back from each subgraph fetch's budget for the gateway's own work on the answer. */
const DEADLINE_MARGIN_MS = 15;

/**
 * The gateway's operation limits (graphql-armor), with room above the largest named operation.
 * Each refusal is a QUERY_TOO_COMPLEX error naming the limit. The cost allows the largest page an
 * argument documents: `auditLog(first: 500)` with every field of an entry costs 6,250 (the named
 * operations at most about 410).
 */
export const OPERATION_LIMITS = { depth: 10, aliases: 10, tokens: 2_000, cost: 6_500, directives: 10 } as const;

export interface GatewayOptions {
  /** The composed supergraph SDL (static: subgraphs are never introspected at run time). */
  supergraphSdl: string;
  /** Where each subgraph listens; overrides the URLs written into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  logger: Logger;
  production?: boolean;
  /** Where the gateway hears of invalidations; without it, subgraph responses are not cached. */
  invalidations?: Pick<Cache, 'onInvalidate'>;
  /** Signs the gateway's own calls to subgraphs (the audit log's writes). */
  gatewaySecret: string;
  /** Timeouts and stale-if-error (the configuration's). */
  resilience: Config['resilience'];
  /** Requests of one caller in flight at once, by role (IN_FLIGHT_LIMITS); unbounded without. */
  inFlightLimits?: Config['auth']['inFlightLimits'];
}

/** Whether a query's text has more lexical tokens than the limit; a text that does not lex is left to the parser's error. */
function tooLong(query: unknown, limit: number): boolean {
  if (typeof query !== 'string') return false;
  try {
    const lexer = new Lexer(new Source(query));
    for (let n = 0; lexer.advance().kind !== TokenKind.EOF; ) if (++n > limit) return true;
  } catch {
    // A syntax error: Apollo's parser reports it as GRAPHQL_PARSE_FAILED.
  }
  return false;
}

export const operationLimits = (production: boolean) =>
  new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.depth, ignoreIntrospection: true },
    maxAliases: { n: OPERATION_LIMITS.aliases },
    // Counted in the context instead (tooLong): armor's Apollo plugin answers a syntax error with a 500.
    maxTokens: { enabled: false },
    costLimit: { maxCost: OPERATION_LIMITS.cost, ignoreIntrospection: true },
    maxDirectives: { n: OPERATION_LIMITS.directives },
    blockFieldSuggestion: { enabled: production },
  }).protect();

/** Says in the answer's `extensions.stale` which parts a stale copy stood in for, and how old each is. */
const staleNotesPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (!contextValue.stale?.length || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = { ...result.extensions, stale: contextValue.stale };
      },
    };
  },
};

/**
 * No silent nulls: @apollo/gateway reports a field it could not complete (a reference a subgraph no
 * longer resolves, so a non-null field of it is missing) only under `extensions.valueCompletion`,
 * which clients do not read. Each becomes an INCOMPLETE_DATA error with its path, and a log line.
 * Runs before the response cache looks at the answer: an incomplete answer is not stored.
 */
export const valueCompletionPlugin = (logger: Logger): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ response, request, operationName }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        const failures = result.extensions?.valueCompletion;
        if (!Array.isArray(failures)) return;
        const { valueCompletion: _moved, ...extensions } = result.extensions!;
        const errors = failures.map((failure: { message: string; path?: readonly (string | number)[] }) => ({
          message: `${failure.message} The record it belongs to could not be completed; the nearest nullable field is null.`,
          path: failure.path,
          extensions: { code: ErrorCode.INCOMPLETE_DATA },
        }));
        logger.warn({ operationName, paths: errors.map((e) => e.path?.join('.')) }, 'answer with incomplete data');
        result.errors = [...(result.errors ?? []), ...errors];
        result.extensions = Object.keys(extensions).length ? extensions : undefined;
      },
    };
  },
});

/**
 * A document whose operation cannot be picked (several without operationName, or a name that is
 * not there) is the client's mistake: 400, not the gateway executor's 500.
 */
const operationResolutionPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        throw new GraphQLError(request.operationName ? `No operation named "${request.operationName}" in the document` : 'Name the operation to run (operationName): the document has several', {
          extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400, headers: new HeaderMap() } },
        });
      },
    };
  },
};

/**
 * The one endpoint clients call. Subgraphs are fetched with undici's request API over keep-alive
 * pools (the default make-fetch-happen fetcher costs about a third of the gateway's CPU, Node's
 * fetch a good part of the rest), through the cache of subgraph answers where invalidations reach.
 */
export function createGatewayServer(options: GatewayOptions) {
  const nameOf = new Map(Object.entries(options.subgraphUrls).map(([name, url]) => [url as string, name as SubgraphName]));
  const { resilience } = options;
  const direct = createSubgraphFetcher({
    timeoutMs: (url) => resilience.subgraphTimeoutMs(nameOf.get(url) ?? ('default' as SubgraphName)),
    serviceOf: (url) => nameOf.get(url) ?? 'backend',
    logger: options.logger,
  });
  const readAhead = createReadAhead();
  const fetcher = readAhead.wrap(options.invalidations
    ? createCachingFetcher({
        fetch: direct,
        invalidations: options.invalidations,
        staleSeconds: resilience.staleIfErrorSeconds,
        serviceOf: (url) => nameOf.get(url) ?? 'a subgraph',
        logger: options.logger,
      })
    : direct);
  /** The headers of a subgraph fetch for a request: its data source's (willSendRequest), and a fetch sent ahead of the plan. */
  const subgraphHeaders = (name: string, context: GatewayContext): Record<string, string> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // Subgraph fetches the gateway makes for itself (none at run time: the supergraph is static) carry no viewer.
    if (context.viewerHeader) headers[VIEWER_HEADER] = context.viewerHeader(name);
    // The subgraph logs the client's request id on its own lines (and answers it back).
    const scope = requestScope.getStore();
    if (scope) headers[REQUEST_ID_HEADER] = scope.id;
    // An unsampled trace says so downstream (a sampled one's traceparent is the HTTP client instrumentation's).
    if (scope?.traceparent) headers.traceparent = scope.traceparent;
    if (context.fresh) headers['cache-control'] = 'no-cache';
    else if (context.refreshAhead) headers['cache-control'] = `min-fresh=${context.refreshAhead}`;
    // What is left of the request's deadline: the fetch's timeout, and the subgraph's for its backends.
    if (context.deadline) headers[DEADLINE_HEADER] = String(Math.max(0, context.deadline - Date.now() - DEADLINE_MARGIN_MS));
    if (context.turn) headers[TURN_HEADER] = context.turn.id;
    return headers;
  };
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: options.logger,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name as SubgraphName] ?? url,
        fetcher: fetcher as never,
        willSendRequest({ request, context }) {
          for (const [header, value] of Object.entries(subgraphHeaders(name, context as GatewayContext))) request.http?.headers.set(header, value);
        },
        didReceiveResponse({ response, context }) {
          if (context.answer) context.answer = noteFetch(context.answer, response.extensions, response.http?.headers.get('age'));
          const reads = readsIn(response.extensions);
          if (reads.length) {
            context.audit?.push(...reads);
            const { turn } = context;
            if (turn) {
              for (const read of reads) readAhead.noteAudited(turn, read.customerId, read.fields);
              // Written beside the plan's later rounds once the operation's last answer said what they report.
              if (turn.learned) auditLog.recordEarly(context, reads, (customerId) => (customerId === turn.customerId ? turn.learned!.laterAudited : []));
            }
          }
          const stale = response.extensions?.stale;
          if (Array.isArray(stale)) context.stale?.push(...(stale as StaleNote[]));
          return response;
        },
      }),
  });
  const formatSubgraphError = createErrorFormatter(options.logger, { production: options.production });
  const limits = operationLimits(Boolean(options.production));
  const responseCache = options.invalidations
    ? createResponseCache<GatewayContext>({
        invalidations: options.invalidations,
        // The refresh runs as the caller it refreshes for, with nothing to audit (no one is shown it).
        refresh: (request, context, minFreshSeconds) =>
          apollo.executeOperation(request, {
            contextValue: { ...context, audit: [], stale: [], answer: openAnswerPolicy(), refreshAhead: minFreshSeconds, deadline: Date.now() + resilience.requestTimeoutMs },
          }),
        logger: options.logger,
      })
    : undefined;
  const slots = options.inFlightLimits ? createCallerSlots(options.inFlightLimits) : undefined;
  const auditLog = createAuditLog({ subgraphs: Object.fromEntries(Object.entries(options.subgraphUrls).map(([name, url]) => [name, { url }])) as never, gatewaySecret: options.gatewaySecret }, options.logger);
  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    persistedQueries: { cache: persistedOperationsCache() },
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (closeOnSignal): Apollo's own handler would re-raise the signal, exiting 143.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: Boolean(options.production),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    plugins: [
      ...(slots ? [slots.plugin] : []),
      ...limits.plugins,
      inputChecksPlugin(),
      operationNamePlugin,
      operationResolutionPlugin,
      staleNotesPlugin,
      valueCompletionPlugin(options.logger),
      httpStatusPlugin,
      ...(responseCache ? [responseCache.plugin] : []),
      auditLog.plugin,
      readAheadPlugin<GatewayContext>(readAhead, (context) => (url) => subgraphHeaders(nameOf.get(url) ?? 'a subgraph', context)),
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
    formatError: (formatted: GraphQLFormattedError, error: unknown) => {
      // graphql-armor's refusals: "Syntax Error: Query depth limit of 10 exceeded, found 12."
      if (/limit of \d+ exceeded|Token limit/i.test(formatted.message) && /^Syntax Error: /.test(formatted.message)) {
        return { message: formatted.message.replace(/^Syntax Error: /, ''), extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } };
      }
      // A subgraph that cannot be reached: say which service, never its address or the socket error.
      const service = formatted.extensions?.serviceName;
      if (formatted.extensions?.code === 'DOWNSTREAM_SERVICE_ERROR' || /fetch failed|ECONNREFUSED|socket hang up/i.test(formatted.message)) {
        options.logger.warn({ service, message: formatted.message }, 'subgraph unavailable');
        return {
          message: `The ${typeof service === 'string' ? service : 'backend'} service is unavailable`,
          path: formatted.path,
          extensions: { code: ErrorCode.BACKEND_UNAVAILABLE, retryable: true, ...(typeof service === 'string' ? { service } : {}) },
        };
      }
      return formatSubgraphError(formatted, error);
    },
  });
  // Call after apollo.start() (which loads the gateway's API schema), before the gateway listens:
  // the first request then plans nothing.
  const warmUp = () => planNamedOperations(apollo, gateway.schema!, options.gatewaySecret, options.logger);
  // Warm answers the request alone decides are sent before the pipeline (warm-hits.ts).
  const warmHits = responseCache && createWarmHits({ answers: responseCache, record: auditLog.record, hold: slots?.hold });
  return { apollo, gateway, warmUp, warmHits };
}

/**
 * The gateway's HTTP front: /graphql, /healthz, and /readyz. Each request's caller is verified here,
 * once, and forwarded to the subgraphs signed (STYLE #9). It listens only once its schema is loaded
 * and the named operations planned, so it is ready whenever it answers: each subgraph's readiness is
 * reported, never required (the graph answers partially; gateways leaving the Service because one
 * subgraph is down would turn that subgraph's errors into refused connections for every query).
 */
export function createGatewayListener(
  apollo: ApolloServer<GatewayContext>,
  subgraphUrls: Record<SubgraphName, string>,
  config: Pick<Config, 'auth' | 'gatewaySecret' | 'resilience' | 'viewerTtlMs' | 'corsOrigins'>,
  extras: {
    /** Erasures heard from every replica (revocation.ts): their sessions are refused at once. */
    revocations?: Revocations;
    /** Endpoints beside /graphql that answer the raw request (the MCP server, the desk, /metrics), by path. */
    handlers?: Record<string, Handler>;
    /** Where the access log goes. */
    logger?: Logger;
    /** Warm whole-answers sent before the GraphQL pipeline (createGatewayServer's). */
    warmHits?: WarmHits;
    /** Redis shared by every gateway replica, where callers' rates are counted; else per process. */
    rateStore?: RateLimitStore;
  } = {},
) {
  const readiness = Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [
      name,
      async () => {
        const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(READINESS_TIMEOUT_MS) });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`${name} not ready`);
      },
    ]),
  );
  const { revocations, handlers, logger, warmHits, rateStore } = extras;
  const authenticate = createCallerAuth(config.auth, config.gatewaySecret, revocations, rateStore);
  const persistedOnly = new Set<string>(config.auth.persistedOnlyRoles);
  const allowed = createAllowList();
  // One verification per request: a warm hit's, reused by the pipeline when the request goes on to it (one rate-limit point).
  const verified = new WeakMap<IncomingMessage, Promise<Viewer>>();
  const viewerOf = (req: IncomingMessage) => {
    let viewer = verified.get(req);
    if (!viewer) verified.set(req, (viewer = authenticate(req)));
    return viewer;
  };
  const contextOf = (req: IncomingMessage, viewer: Viewer, started: number): GatewayContext => ({
    fresh: /no-cache/.test(req.headers['cache-control'] ?? ''),
    viewer,
    viewerHeader: forwardedCaller(viewer, config.gatewaySecret, randomUUID(), config.viewerTtlMs),
    callerKey: callerKeyOf(viewer),
    audit: [],
    deadline: started + budgetFrom(req.headers[DEADLINE_HEADER], config.resilience.requestTimeoutMs),
    stale: [],
    answer: openAnswerPolicy(),
  });
  return createRequestListener({
    apollo,
    answerEarly: warmHits
      ? async (req, body) => {
          if (req.method !== 'POST') return undefined;
          const started = Date.now();
          // A refusal is the pipeline's to answer, from the same verification.
          const viewer = await viewerOf(req).catch(() => undefined);
          if (!viewer) return undefined;
          const scope = requestScope.getStore();
          if (scope) scope.caller = viewer.kind;
          const caller = fetchCaller.getStore();
          if (caller) caller.id = `${viewer.kind}:${viewer.id}`;
          return warmHits(req, body, viewer, () => contextOf(req, viewer, started));
        }
      : undefined,
    context: async (req, body) => {
      const started = Date.now();
      const viewer = await viewerOf(req);
      const scope = requestScope.getStore();
      if (scope) scope.caller = viewer.kind;
      const caller = fetchCaller.getStore();
      if (caller) caller.id = `${viewer.kind}:${viewer.id}`;
      const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
      if (tooLong((body as { query?: unknown } | undefined)?.query ?? search.get('query'), OPERATION_LIMITS.tokens)) {
        throw new GraphQLError(`Token limit of ${OPERATION_LIMITS.tokens} exceeded`, {
          extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400, headers: new HeaderMap() } },
        });
      }
      if (viewer.kind !== 'service' && persistedOnly.has(viewer.kind) && !allowed(body, search)) {
        throw new GraphQLError('This caller may only run the named operations of schema/operations', {
          extensions: { code: ErrorCode.OPERATION_NOT_ALLOWED, http: { status: 403, headers: new HeaderMap() } },
        });
      }
      return contextOf(req, viewer, started);
    },
    readiness: { optional: readiness },
    corsOrigins: config.corsOrigins,
    handlers,
    service: 'gateway',
    logger,
    // Each subgraph's circuit breaker sees who its fetches are for (the context fills it in).
    scope: (_req, run) => fetchCaller.run({}, run),
    maxInFlight: config.resilience.maxInFlight,
    maxEventLoopDelayMs: config.resilience.maxEventLoopDelayMs || undefined,
  });
}
