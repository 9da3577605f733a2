import { defineSqlAdapter } from '../../../shared/sql';
import type { LogisticsSystem } from '../../port';
import { migrations } from './migrations';
import { createSqlLogisticsSystem } from './queries';
import type { LogisticsTables } from './tables';

/** The reference carrier integration: PostgreSQL (or the embedded PGlite), schema `logistics`. */
export const sqlLogisticsAdapter = defineSqlAdapter<LogisticsSystem, LogisticsTables>({
  schema: 'logistics',
  migrations,
  create: createSqlLogisticsSystem,
});
