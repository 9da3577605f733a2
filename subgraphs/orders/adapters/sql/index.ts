import type { Kysely } from 'kysely';
import { defineSqlAdapter } from '../../../shared/sql';
import { DEFAULT_ORDER_NUMBER_FORMATS, orderNumberFormats } from '../../order-numbers';
import type { OrderSystem } from '../../port';
import { migrations } from './migrations';
import { createSqlOrderSystem } from './queries';
import type { OmsTables } from './tables';

/** The reference OMS: PostgreSQL (or the embedded PGlite), schema `oms`; its numbers are NW-100234 unless ORDERS_SQL_ORDER_NUMBER_FORMATS says otherwise. */
export const sqlOrderAdapter = defineSqlAdapter({
  schema: 'oms',
  migrations,
  settings: { orderNumberFormats: orderNumberFormats.default(DEFAULT_ORDER_NUMBER_FORMATS) },
  create: (db: Kysely<OmsTables>, settings): OrderSystem => ({ ...createSqlOrderSystem(db), orderNumberFormats: settings.orderNumberFormats }),
});
