import { join } from 'node:path';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import { createGraphClient } from '../shared/graph-client';
import { emailsFromCrm } from '../shared/identity';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { orderAdapters } from './adapters';
import { createGraphFulfilment } from './adapters/fulfilment-graph';
import type { OrdersServices } from './context';
import { createOrderLoaders, type OrderLoaders } from './loaders';
import type { OrderSource, OrderSystem } from './port';
import { createOrderRecords } from './records';
import { composeOrderSource } from './source';
import { resolvers } from './resolvers';
import { orderEvents, withOrderCache } from './cached-source';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** The orders subgraph (OMS): orders, line items, returns. */
export const ordersSubgraph: SubgraphDefinition<OrderSource, OrderLoaders, OrdersServices> = {
  name: 'orders',
  typeDefs,
  resolvers,
  withCache: withOrderCache,
  events: orderEvents,
  adapters: orderAdapters,
  createLoaders: createOrderLoaders,
  withOwnRecords: async (system: OrderSystem, { db, logger, adapter, config }) => {
    const records = await createOrderRecords(db, { system: adapter, links: system, logger, emailsOf: emailsFromCrm(createGraphClient(config, logger, 'orders')) });
    return { source: composeOrderSource(system, records), identities: records.identities };
  },
  createServices: ({ config, logger }) => ({ fulfilment: createGraphFulfilment(config, logger) }),
};

export const createServer = (deps: { config: Readonly<Config>; source: OrderSource; logger: Logger }) => createSubgraphServer(ordersSubgraph, deps);
