import type { createGraphClient } from '../shared/graph-client';
import type { SubgraphContext } from '../shared/subgraph';
import type { CustomerLoaders } from './loaders';
import type { CustomerSource } from './port';

/** What the CRM talks to besides its backend: the other subgraphs, for GDPR erasure and to check the orders a write names. */
export interface CustomersServices {
  graph: ReturnType<typeof createGraphClient>;
}

export type CustomersContext = SubgraphContext<CustomerSource, CustomerLoaders, CustomersServices>;
