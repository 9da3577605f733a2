import type { SubgraphContext } from '../shared/subgraph';
import type { OrderLoaders } from './loaders';
import type { OrderSource } from './port';

export type OrdersContext = SubgraphContext<OrderSource, OrderLoaders>;
