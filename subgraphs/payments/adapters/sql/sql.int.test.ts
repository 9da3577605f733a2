import { describePaymentSource } from '../../../../test/kits/payment-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlPaymentAdapter } from '.';

describePaymentSource('sql on PostgreSQL', sqlSourceFactory(sqlPaymentAdapter, 'payments', 'postgres'));
describePaymentSource('sql on the embedded PGlite', sqlSourceFactory(sqlPaymentAdapter, 'payments', 'pglite'));
