import { defineSqlAdapter } from '../../../shared/sql';
import type { LogisticsSource } from '../../port';
import { migrations } from './migrations';
import { createSqlLogisticsSource } from './queries';
import type { LogisticsTables } from './tables';

/** The reference carrier integration: PostgreSQL (or the embedded PGlite), schema `logistics`. */
export const sqlLogisticsAdapter = defineSqlAdapter<LogisticsSource, LogisticsTables>({
  schema: 'logistics',
  migrations,
  create: createSqlLogisticsSource,
});
