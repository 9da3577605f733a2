import type { ApolloServer } from '@apollo/server';
import type { Config } from '../subgraphs/shared/config';
import type { Handler } from '../subgraphs/shared/http';
import type { Logger } from '../subgraphs/shared/logger';
import { createDeskHandlers } from './desk';
import { metricsHandler } from '../subgraphs/shared/metrics';
import type { GatewayContext } from './server';
import { createAgentHandlers } from './agents';

export interface GatewayHandlerDeps {
  apollo: ApolloServer<GatewayContext>;
  config: Config;
  logger: Logger;
  /** The gateway's own /graphql address, known once it listens. */
  graphqlUrl: () => string;
}

/**
 * The endpoints the gateway serves beside /graphql, /healthz and /readyz, by path (see Handler).
 * One list for the deployed gateway (index.ts) and the in-process stack (scripts/stack.ts) alike.
 */
export function createGatewayHandlers(deps: GatewayHandlerDeps): Record<string, Handler> {
  return {
    ...createAgentHandlers(deps),
    ...createDeskHandlers(deps.config, deps.logger),
    '/metrics': metricsHandler(deps.config.metricsToken),
  };
}
