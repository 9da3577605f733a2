import { join } from 'node:path';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import { logisticsAdapters } from './adapters';
import { createLogisticsLoaders, type LogisticsLoaders } from './loaders';
import type { LogisticsSource } from './port';
import { resolvers } from './resolvers';
import { logisticsEvents, withLogisticsCache } from './cached-source';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** The logistics subgraph: shipments across carriers, tracking, delivery exceptions, return labels. */
export const logisticsSubgraph: SubgraphDefinition<LogisticsSource, LogisticsLoaders> = {
  name: 'logistics',
  typeDefs,
  resolvers,
  withCache: withLogisticsCache,
  events: logisticsEvents,
  adapters: logisticsAdapters,
  createLoaders: createLogisticsLoaders,
};

export const createServer = (deps: { config: Readonly<Config>; source: LogisticsSource; logger: Logger }) => createSubgraphServer(logisticsSubgraph, deps);
