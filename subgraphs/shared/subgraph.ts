import { readFileSync } from 'node:fs';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { backendCalls, createAdapter, withCallCount, withLatency, type AdapterDefinition } from './adapter';
import { TURN_HEADER, verifyViewer, VIEWER_HEADER, type Viewer } from './auth';
import type { Cache } from './cache';
import { freshReads, minFreshOf, responsePolicy, ttlPolicy, type TtlPolicy } from './cached';
import { createEventsHandler, relayChanges, type EventDefinition } from './events';
import type { ChangeFeed } from './outbox';
import type { Config, SubgraphName } from './config';
import { AppError, createErrorFormatter, ErrorCode, HTTP_STATUS } from './errors';
import { inputChecksPlugin } from './inputs';
import { createRequestListener, listen, operationNamePlugin, type Readiness, type Route, type RunningServer } from './http';
import { requestScope, type Logger } from './logger';
import { metricsHandler } from './metrics';
import { withDataProtection } from './pii';
import { budgetFrom, DEADLINE_HEADER, requestDeadline, withResilience } from './resilience';
import { createRevocations } from './revocation';
import { sameIds, type IdentityMap } from './identity';
import { vendorWebhookRoute, type VendorWebhook } from './webhooks';
import { openVendorCalls, type VendorCallFactory } from './vendor';

/** What every adapter may be given at creation. */
export interface AdapterDeps {
  db: Kysely<any>;
  logger: Logger;
  /** Every call to a vendor's API goes through this: deadline, shared rate limit, safe retries, coded errors (vendor.ts). */
  vendorCalls: VendorCallFactory;
}

/** The per-request context of a subgraph: its backend port, the request's DataLoaders, settings, collaborators. */
export interface SubgraphContext<Source, Loaders, Services = unknown> {
  source: Source;
  loaders: Loaders;
  config: Readonly<Config>;
  services: Services;
  /** Who is asking, as the gateway verified it (subgraphs/shared/auth.ts). */
  viewer: Viewer;
  /** Reports a field read on an `@audited` type; the subgraph's `afterRequest` reports them to the gateway. */
  audit?: (type: string, id: string, field: string) => void;
  /** Fields read on `@audited` types in this request, by "Type:id". */
  reads: Map<string, Set<string>>;
}

/** A subgraph as data: its SDL, resolvers, adapters and how to batch reads for one request. */
export interface SubgraphDefinition<Source, Loaders, Services = unknown> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<any>;
  /** Its systems of record, chosen by <NAME>_ADAPTER; each answers the subgraph's system port. */
  adapters: Record<string, AdapterDefinition<any, AdapterDeps, z.ZodType>>;
  /**
   * The system of record and the graph's own records (in its own database, whatever the system) as
   * one source, customer ids mapped; without it the system is the source.
   */
  withOwnRecords?(system: any, deps: { db: Kysely<any>; logger: Logger; adapter: string; config: Readonly<Config> }): Promise<{ source: Source; identities: IdentityMap }>;
  createLoaders(source: Source): Loaders;
  /** What else the subgraph talks to besides its own backend (the orders saga reaches logistics and payments). */
  createServices?(deps: { config: Readonly<Config>; logger: Logger }): Services;
  /** The adapter behind the entity cache: cached reads, invalidating writes. */
  withCache(source: Source, cache: Cache, ttl: TtlPolicy): Source;
  /** The change events the backend announces on POST /events, and what each makes stale. */
  events: Record<string, EventDefinition<any>>;
  /** Runs before a response leaves; what it answers is added to the response's extensions (the CRM's audit reads). */
  afterRequest?(ctx: SubgraphContext<Source, Loaders, Services>): Promise<Record<string, unknown> | void>;
  /** Plain internal endpoints beside /graphql and /events (the CRM's audit writes). */
  routes?(deps: { source: Source; config: Readonly<Config>; logger: Logger }): Record<string, Route>;
}

export const loadTypeDefs = (path: string): DocumentNode => parse(readFileSync(path, 'utf8'));

/** A response that read nothing cacheable nor uncacheable (only references) still lives at most this long. */
const MAX_RESPONSE_AGE_SECONDS = 60;

/**
 * Tells the gateway, in `extensions.cache`, how long this response may be reused and which tags
 * invalidate it: what the request's cached reads added up to (see responsePolicy).
 */
function responsePlugin(service: SubgraphName, afterRequest: ((ctx: any) => Promise<Record<string, unknown> | void>) | undefined, logger: Logger): ApolloServerPlugin<any> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operation, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (afterRequest) {
            try {
              const extensions = await afterRequest(contextValue);
              if (extensions) result.extensions = { ...result.extensions, ...extensions };
            } catch (err) {
              logger.error({ err: (err as Error).message }, 'after-request step failed: the data is withheld');
              result.data = null;
              result.errors = [{ message: 'This answer could not be completed', extensions: { code: ErrorCode.BACKEND_UNAVAILABLE } }];
            }
          }
          const policy = responsePolicy.getStore();
          if (!policy) return;
          if (policy.stale?.size) {
            const stale = [...policy.stale].map(([type, ageSeconds]) => ({ service, type, ageSeconds }));
            result.extensions = { ...result.extensions, stale };
          }
          const maxAge = Math.min(policy.maxAge, MAX_RESPONSE_AGE_SECONDS);
          const cacheable = maxAge > 0 && operation?.operation === 'query' && !result.errors?.length;
          result.extensions = { ...result.extensions, cache: cacheable ? { maxAge, tags: [...policy.tags] } : { maxAge: 0 } };
        },
      };
    },
  };
}

export interface SubgraphServer<Source, Loaders, Services> {
  apollo: ApolloServer<SubgraphContext<Source, Loaders, Services>>;
  /**
   * A fresh context for a viewer, as each HTTP request gets; tests pass it to `apollo.executeOperation`.
   * Requests with the same `turn` (one read-only gateway request's rounds, for one signed caller) share their loaders.
   */
  createContext(viewer: Viewer, turn?: string): SubgraphContext<Source, Loaders, Services>;
  /** The resolvers with the schema's data-protection rules applied (`@pii`, `@audited`). */
  resolvers: GraphQLResolverMap<any>;
}

/** Builds a subgraph's Apollo server around a backend source; starts nothing, listens nowhere. */
export function createSubgraphServer<Source, Loaders, Services>(
  definition: SubgraphDefinition<Source, Loaders, Services>,
  deps: { source: Source; logger: Logger; config: Readonly<Config> },
): SubgraphServer<Source, Loaders, Services> {
  const services = definition.createServices?.({ config: deps.config, logger: deps.logger }) as Services;
  const resolvers = withDataProtection(definition.typeDefs, definition.resolvers as never) as GraphQLResolverMap<any>;
  const apollo = new ApolloServer<SubgraphContext<Source, Loaders, Services>>({
    schema: buildSubgraphSchema({ typeDefs: definition.typeDefs, resolvers }),
    formatError: createErrorFormatter(deps.logger, { production: deps.config.nodeEnv === 'production' }),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (closeOnSignal): Apollo's own handler would re-raise the signal, exiting 143.
    stopOnTerminationSignals: false,
    // No Apollo Studio traces and no @cacheControl hints (freshness is `extensions.cache`, below):
    // either one wraps every field's resolver, which cost each request CPU and garbage for nothing.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // What the gateway checked, checked again for whoever else holds the secret (and internal calls).
      inputChecksPlugin(),
      operationNamePlugin,
      responsePlugin(definition.name, definition.afterRequest, deps.logger),
    ],
  });
  // One gateway query reaches a subgraph in rounds (the brief's @requires comes back after the
  // orders and balances): the later round answers from what the first one read. Kept no longer
  // than a request may run.
  const turnLoaders = new LRUCache<string, Loaders & object>({ max: 2_000, ttl: deps.config.resilience.requestTimeoutMs });
  const loadersFor = (turn: string | undefined): Loaders => {
    if (!turn) return definition.createLoaders(deps.source);
    let loaders = turnLoaders.get(turn);
    if (!loaders) turnLoaders.set(turn, (loaders = definition.createLoaders(deps.source) as Loaders & object));
    return loaders;
  };
  return {
    apollo,
    resolvers,
    createContext: (viewer, turn) => {
      const reads = new Map<string, Set<string>>();
      // Only agents' reads of whole profiles are audited; the customer reading their own is not.
      const audit =
        viewer.kind === 'agent' || viewer.kind === 'operations'
          ? (type: string, id: string, field: string) => {
              const key = `${type}:${id}`;
              let fields = reads.get(key);
              if (!fields) reads.set(key, (fields = new Set()));
              fields.add(field);
            }
          : undefined;
      return { source: deps.source, loaders: loadersFor(turn), config: deps.config, services, viewer, audit, reads };
    },
  };
}

export interface StartSubgraphOptions {
  config: Readonly<Config>;
  db: Kysely<any>;
  cache: Cache;
  logger: Logger;
  /** The process's own dependencies (its database, the cache); the subgraph adds its backend. */
  readiness: Readiness;
  /** Adapter settings, validated by the adapter's own zod schema. */
  adapterConfig?: unknown;
  /** Runs after the adapter exists (its schema migrated) and before the port opens: the demo seed. */
  beforeListen?: () => Promise<unknown>;
}

/**
 * The subgraph's backend as configured: its adapter (created, so migrated), slowed by
 * BACKEND_LATENCY_MS when measuring, behind the entity cache unless caching is off.
 */
export async function createSubgraphSource<Source extends object, Loaders, Services>(
  definition: SubgraphDefinition<Source, Loaders, Services>,
  deps: { config: Readonly<Config>; db: Kysely<any>; cache: Cache; logger: Logger; adapterConfig?: unknown },
): Promise<{ source: Source; webhooks: readonly VendorWebhook[]; identities: IdentityMap; close(): Promise<void> }> {
  const { config } = deps;
  const { adapter: adapterName, adapterSettings } = config.subgraphs[definition.name];
  const settings = deps.adapterConfig ?? adapterSettings;
  // Its Redis connection opens only when an adapter asks for a vendor's calls (never for the SQL ones).
  const vendorCalls = openVendorCalls(config, definition.name, deps.logger);
  const created = await createAdapter(definition.adapters, adapterName, settings, { db: deps.db, logger: deps.logger, vendorCalls }, definition.name);
  // When measuring slow backends, the calls reaching the system of record are counted (GET /backend-calls).
  const system = config.backendLatencyMaxMs > 0 ? withCallCount(created as object) as typeof created : created;
  const { source: composed, identities } = definition.withOwnRecords
    ? await definition.withOwnRecords(system, { db: deps.db, logger: deps.logger, adapter: adapterName, config })
    : { source: system as Source, identities: sameIds(adapterName) };
  const adapter = withResilience(withLatency(composed as Source & object, config.backendLatencyMs, config.backendLatencyMaxMs), {
    service: definition.name,
    // A vendor adapter's method may make several calls (pages, retries), each bounded by the backend
    // timeout in vendor.ts: the method as a whole has what is left of the request's deadline.
    timeoutMs: vendorCalls.used() ? config.resilience.requestTimeoutMs : config.resilience.backendTimeoutMs(definition.name),
    logger: deps.logger,
  });
  const source = config.cacheEnabled ? definition.withCache(adapter, deps.cache, ttlPolicy(config.cacheTtlSeconds)) : adapter;
  return { source, webhooks: (system as { webhooks?: readonly VendorWebhook[] }).webhooks ?? [], identities, close: vendorCalls.close };
}

/** Creates the configured adapter (migrating its schema), then serves the subgraph on its port. */
export async function startSubgraph<Source extends { ping(): Promise<void> }, Loaders, Services>(
  definition: SubgraphDefinition<Source, Loaders, Services>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const settings = options.config.subgraphs[definition.name];
  const logger = options.logger.child({ subgraph: definition.name });
  const { config, cache } = options;
  const { source, webhooks, identities, close: closeSource } = await createSubgraphSource(definition, { config, db: options.db, cache, logger, adapterConfig: options.adapterConfig });
  await options.beforeListen?.();
  const server = createSubgraphServer(definition, { source, logger, config });
  // Erasure ends every session of the customer, in every replica (see revocation.ts).
  const revocations = createRevocations(cache, config.verification.sessionTtlSeconds * 1000);
  await server.apollo.start();
  const running = await listen(
    createRequestListener({
      apollo: server.apollo,
      // Only the gateway (or another subgraph) holds the secret the forwarded caller is signed with;
      // a header is good for seconds, for this subgraph only, and an agent's for its session's life.
      context: async (req) => {
        let viewer: Viewer;
        try {
          viewer = verifyViewer(req.headers[VIEWER_HEADER] as string | undefined, config.gatewaySecret, definition.name, { allowUnrestricted: config.nodeEnv !== 'production' });
          if (viewer.kind === 'agent' && viewer.customerId && revocations.isRevoked(viewer.customerId)) {
            throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session has ended: verify the caller again');
          }
          const scope = requestScope.getStore();
          if (scope) scope.caller = viewer.kind;
        } catch (err) {
          const { code, message } = err as AppError;
          throw new GraphQLError(message, { extensions: { code, http: { status: HTTP_STATUS[code] } } });
        }
        // A read-only gateway request's rounds share reads: keyed by its turn, its signed caller (bound
        // to that request and this subgraph) and the freshness it asked for (a refresh reads anew).
        const turn = req.headers[TURN_HEADER];
        return server.createContext(viewer, typeof turn === 'string' && turn.length <= 64 ? `${turn}\n${req.headers[VIEWER_HEADER]}\n${req.headers['cache-control'] ?? ''}` : undefined);
      },
      // A system of record that fails is not a reason to leave the Service: stale copies stand in for
      // it (STALE_IF_ERROR_SECONDS), and every replica would leave at once. Degraded, still ready.
      readiness: { ...options.readiness, optional: { ...options.readiness.optional, backend: () => source.ping() } },
      service: definition.name,
      logger,
      handlers: {
        '/metrics': metricsHandler(config.metricsToken),
        // The benchmark's count of system-of-record calls, only while it injects backend latency.
        ...(config.backendLatencyMaxMs > 0 ? { '/backend-calls': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(backendCalls)) } : {}),
      },
      routes: {
        '/events': (() => {
          const handle = createEventsHandler({ secret: config.webhookSecret, events: definition.events, cache, logger, service: definition.name });
          return (body, req) => handle(body, req.headers['x-signature'] as string | undefined);
        })(),
        ...definition.routes?.({ source, config, logger }),
        // Each vendor's own deliveries (Stripe-Signature, a commercetools subscription), verified by its adapter.
        ...Object.fromEntries(webhooks.map((webhook) => [webhook.path, vendorWebhookRoute({ webhook, events: definition.events, identities, cache, logger, service: definition.name })])),
      },
      // "Cache-Control: no-cache" from the client (forwarded by the gateway) asks for fresh data,
      // "min-fresh=N" (the gateway refreshing ahead) for copies that stay fresh N s more.
      // The request's deadline (what the gateway has left of it) bounds every backend call it makes.
      scope: (req, run) =>
        requestDeadline.run(Date.now() + budgetFrom(req.headers[DEADLINE_HEADER], config.resilience.requestTimeoutMs), () =>
          freshReads.run(minFreshOf(req.headers['cache-control']), () => responsePolicy.run({ tags: new Set(), maxAge: Infinity }, run)),
        ),
    }),
    settings.port,
    options.config.host,
    // Only the gateway calls a subgraph: no bound per address, but the same read timeout.
    { readTimeoutMs: config.resilience.requestReadTimeoutMs },
  );
  const feed = source as ChangeFeed;
  const relay = feed.drainChanges ? relayChanges({ drain: (deliver) => feed.drainChanges!(deliver), events: definition.events, cache, logger, service: definition.name }) : undefined;
  logger.info({ url: running.url, adapter: settings.adapter }, 'subgraph ready');
  return {
    ...running,
    close: async () => {
      await running.close();
      await relay?.stop();
      await server.apollo.stop();
      await closeSource();
    },
  };
}
