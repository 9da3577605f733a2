import { defineSqlAdapter } from '../../../shared/sql';
import type { CustomerSystem } from '../../port';
import { migrations } from './migrations';
import { createSqlCustomerSystem } from './queries';
import type { CrmTables } from './tables';

/** The reference CRM: PostgreSQL (or the embedded PGlite), schema `crm`: profiles and addresses. */
export const sqlCustomerAdapter = defineSqlAdapter<CustomerSystem, CrmTables>({ schema: 'crm', migrations, create: createSqlCustomerSystem });
