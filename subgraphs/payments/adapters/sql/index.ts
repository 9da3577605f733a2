import { defineSqlAdapter } from '../../../shared/sql';
import type { PaymentSystem } from '../../port';
import { migrations } from './migrations';
import { createSqlPaymentSystem } from './queries';
import type { PaymentTables } from './tables';

/** The reference payment service: PostgreSQL (or the embedded PGlite), schema `payments`. */
export const sqlPaymentAdapter = defineSqlAdapter<PaymentSystem, PaymentTables>({ schema: 'payments', migrations, create: createSqlPaymentSystem });
