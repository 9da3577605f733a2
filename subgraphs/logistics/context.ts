import type { SubgraphContext } from '../shared/subgraph';
import type { LogisticsLoaders } from './loaders';
import type { LogisticsSource } from './port';

export type LogisticsContext = SubgraphContext<LogisticsSource, LogisticsLoaders>;
