import { join } from 'node:path';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import { customerAdapters } from './adapters';
import { createCustomerLoaders, type CustomerLoaders } from './loaders';
import type { CustomerSource, CustomerSystem } from './port';
import { createCustomerRecords } from './records';
import { composeCustomerSource } from './source';
import { resolvers } from './resolvers';
import { customerEvents, withCustomerCache } from './cached-source';
import type { CustomersServices } from './context';
import { auditProfileReads, createAuditRoute } from './privacy';
import { createGraphClient } from '../shared/graph-client';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** The customers subgraph (CRM): customers, addresses, interactions across channels. */
export const customersSubgraph: SubgraphDefinition<CustomerSource, CustomerLoaders, CustomersServices> = {
  name: 'customers',
  typeDefs,
  resolvers,
  withCache: withCustomerCache,
  events: customerEvents,
  adapters: customerAdapters,
  createLoaders: createCustomerLoaders,
  withOwnRecords: async (system: CustomerSystem, { db, logger, adapter }) => {
    const records = await createCustomerRecords(db, { system: adapter, links: system, logger });
    return { source: composeCustomerSource(system, records, { logger }), identities: records.identities };
  },
  createServices: ({ config, logger }) => ({ graph: createGraphClient(config, logger, 'customers') }),
  afterRequest: auditProfileReads,
  routes: ({ source, config, logger }) => ({ '/audit': createAuditRoute({ source, gatewaySecret: config.gatewaySecret, logger }) }),
};

export const createServer = (deps: { config: Readonly<Config>; source: CustomerSource; logger: Logger }) => createSubgraphServer(customersSubgraph, deps);
