import type { SubgraphContext } from '../shared/subgraph';
import type { OrderLoaders } from './loaders';
import type { OrderSource, ReturnFulfilment } from './port';

export interface OrdersServices {
  fulfilment: ReturnFulfilment;
}

export type OrdersContext = SubgraphContext<OrderSource, OrderLoaders, OrdersServices>;
