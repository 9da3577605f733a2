import type { SubgraphContext } from '../shared/subgraph';
import type { PaymentLoaders } from './loaders';
import type { PaymentSource } from './port';

export type PaymentsContext = SubgraphContext<PaymentSource, PaymentLoaders>;
