import { join } from 'node:path';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import { logisticsAdapters } from './adapters';
import { createLogisticsLoaders, type LogisticsLoaders } from './loaders';
import type { LogisticsSource, LogisticsSystem } from './port';
import { createLogisticsRecords } from './records';
import { composeLogisticsSource } from './source';
import { sameIds } from '../shared/identity';
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
  // Consignees are the graph's customers (the OMS's fulfilment data names them): no identity map.
  withOwnRecords: async (system: LogisticsSystem, { db, adapter }) => ({ source: composeLogisticsSource(system, await createLogisticsRecords(db)), identities: sameIds(adapter) }),
};

export const createServer = (deps: { config: Readonly<Config>; source: LogisticsSource; logger: Logger }) => createSubgraphServer(logisticsSubgraph, deps);
