import { join } from 'node:path';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import type { Logger } from '../shared/logger';
import { orderAdapters } from './adapters';
import { createOrderLoaders, type OrderLoaders } from './loaders';
import type { OrderSource } from './port';
import { resolvers } from './resolvers';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** The orders subgraph (OMS): orders, line items, returns. */
export const ordersSubgraph: SubgraphDefinition<OrderSource, OrderLoaders> = {
  name: 'orders',
  typeDefs,
  resolvers,
  adapters: orderAdapters,
  createLoaders: createOrderLoaders,
};

export const createServer = (deps: { source: OrderSource; logger: Logger }) => createSubgraphServer(ordersSubgraph, deps);
