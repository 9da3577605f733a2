import { defineSqlAdapter } from '../../../shared/sql';
import type { OrderSystem } from '../../port';
import { migrations } from './migrations';
import { createSqlOrderSystem } from './queries';
import type { OmsTables } from './tables';

/** The reference OMS: PostgreSQL (or the embedded PGlite), schema `oms`. */
export const sqlOrderAdapter = defineSqlAdapter<OrderSystem, OmsTables>({ schema: 'oms', migrations, create: createSqlOrderSystem });
