import { defineSqlAdapter } from '../../../shared/sql';
import type { OrderSource } from '../../port';
import { migrations } from './migrations';
import { createSqlOrderSource } from './queries';
import type { OmsTables } from './tables';

/** The reference OMS: PostgreSQL (or the embedded PGlite), schema `oms`. */
export const sqlOrderAdapter = defineSqlAdapter<OrderSource, OmsTables>({ schema: 'oms', migrations, create: createSqlOrderSource });
