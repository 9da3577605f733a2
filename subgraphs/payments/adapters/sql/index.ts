import { defineSqlAdapter } from '../../../shared/sql';
import type { PaymentSource } from '../../port';
import { migrations } from './migrations';
import { createSqlPaymentSource } from './queries';
import type { PaymentTables } from './tables';

/** The reference payment service: PostgreSQL (or the embedded PGlite), schema `payments`. */
export const sqlPaymentAdapter = defineSqlAdapter<PaymentSource, PaymentTables>({ schema: 'payments', migrations, create: createSqlPaymentSource });
