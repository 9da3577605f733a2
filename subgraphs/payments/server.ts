import { join } from 'node:path';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import { createSubgraphServer, loadTypeDefs, type SubgraphDefinition } from '../shared/subgraph';
import { createGraphClient } from '../shared/graph-client';
import { emailsFromCrm } from '../shared/identity';
import { paymentAdapters } from './adapters';
import { createPaymentLoaders, type PaymentLoaders } from './loaders';
import type { PaymentSource, PaymentSystem } from './port';
import { createPaymentRecords } from './records';
import { composePaymentSource } from './source';
import { resolvers } from './resolvers';
import { paymentEvents, withPaymentCache } from './cached-source';

export const typeDefs = loadTypeDefs(join(__dirname, 'schema.graphql'));

/** The payments subgraph: payments (PCI-safe), refunds, disputes, open balances. */
export const paymentsSubgraph: SubgraphDefinition<PaymentSource, PaymentLoaders> = {
  name: 'payments',
  typeDefs,
  resolvers,
  withCache: withPaymentCache,
  events: paymentEvents,
  adapters: paymentAdapters,
  createLoaders: createPaymentLoaders,
  withOwnRecords: async (system: PaymentSystem, { db, logger, adapter, config }) => {
    const records = await createPaymentRecords(db, { system: adapter, links: system, logger, emailsOf: emailsFromCrm(createGraphClient(config, logger, 'payments')) });
    return { source: composePaymentSource(system, records), identities: records.identities };
  },
};

export const createServer = (deps: { config: Readonly<Config>; source: PaymentSource; logger: Logger }) => createSubgraphServer(paymentsSubgraph, deps);
