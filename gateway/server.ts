import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import { SUPERGRAPH_PATH } from '../schema/compose';
import type { SubgraphName } from '../subgraphs/shared/config';
import { createErrorFormatter, ErrorCode } from '../subgraphs/shared/errors';
import { createRequestListener } from '../subgraphs/shared/http';
import { createCachingFetcher } from './fetch-cache';
import { createSubgraphFetcher } from './fetcher';
import { persistedOperationsCache } from './persisted';
import type { Cache } from '../subgraphs/shared/cache';
import type { Logger } from '../subgraphs/shared/logger';

export const loadSupergraph = (path = SUPERGRAPH_PATH) => readFileSync(path, 'utf8');

/** What the gateway knows of a request when it calls subgraphs. */
export interface GatewayContext {
  /** The client sent Cache-Control: no-cache: every subgraph reads from its system of record. */
  fresh: boolean;
}

export interface GatewayOptions {
  /** The composed supergraph SDL (static: subgraphs are never introspected at run time). */
  supergraphSdl: string;
  /** Where each subgraph listens; overrides the URLs written into the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  logger: Logger;
  production?: boolean;
  /** Where the gateway hears of invalidations; without it, subgraph responses are not cached. */
  invalidations?: Pick<Cache, 'onInvalidate'>;
}

/**
 * The one endpoint clients call. Subgraphs are fetched with undici's request API over keep-alive
 * pools (the default make-fetch-happen fetcher costs about a third of the gateway's CPU, Node's
 * fetch a good part of the rest), through the cache of subgraph answers where invalidations reach.
 */
export function createGatewayServer(options: GatewayOptions) {
  const direct = createSubgraphFetcher();
  const fetcher = options.invalidations ? createCachingFetcher({ fetch: direct, invalidations: options.invalidations, logger: options.logger }) : direct;
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: options.logger,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name as SubgraphName] ?? url,
        fetcher: fetcher as never,
        willSendRequest({ request, context }) {
          if (context.fresh) request.http?.headers.set('cache-control', 'no-cache');
        },
      }),
  });
  const formatSubgraphError = createErrorFormatter(options.logger);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    persistedQueries: { cache: persistedOperationsCache() },
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (closeOnSignal): Apollo's own handler would re-raise the signal, exiting 143.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    csrfPrevention: true,
    plugins: options.production ? [ApolloServerPluginLandingPageDisabled()] : [],
    formatError: (formatted: GraphQLFormattedError, error: unknown) => {
      // A subgraph that cannot be reached: say which service, never its address or the socket error.
      const service = formatted.extensions?.serviceName;
      if (formatted.extensions?.code === 'DOWNSTREAM_SERVICE_ERROR' || /fetch failed|ECONNREFUSED|socket hang up/i.test(formatted.message)) {
        options.logger.warn({ service, message: formatted.message }, 'subgraph unavailable');
        return {
          message: `The ${typeof service === 'string' ? service : 'backend'} service is unavailable`,
          path: formatted.path,
          extensions: { code: ErrorCode.BACKEND_UNAVAILABLE, ...(typeof service === 'string' ? { service } : {}) },
        };
      }
      return formatSubgraphError(formatted, error);
    },
  });
  return { apollo, gateway };
}

/** The gateway's HTTP front: /graphql, /healthz, and /readyz (every subgraph is ready). */
export function createGatewayListener(apollo: ApolloServer<GatewayContext>, subgraphUrls: Record<SubgraphName, string>) {
  const readiness = Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [
      name,
      async () => {
        const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`${name} not ready`);
      },
    ]),
  );
  return createRequestListener({
    apollo,
    context: async (req) => ({ fresh: /no-cache/.test(req.headers['cache-control'] ?? '') }),
    readiness,
  });
}
