import type { SubgraphContext } from '../shared/subgraph';
import type { CustomerLoaders } from './loaders';
import type { CustomerSource } from './port';

export type CustomersContext = SubgraphContext<CustomerSource, CustomerLoaders>;
