import { defineSqlAdapter } from '../../../shared/sql';
import type { CustomerSource } from '../../port';
import { migrations } from './migrations';
import { createSqlCustomerSource } from './queries';
import type { CrmTables } from './tables';

/** The reference CRM: PostgreSQL (or the embedded PGlite), schema `crm`. */
export const sqlCustomerAdapter = defineSqlAdapter<CustomerSource, CrmTables>({ schema: 'crm', migrations, create: createSqlCustomerSource });
