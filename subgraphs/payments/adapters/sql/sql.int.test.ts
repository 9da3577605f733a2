import { describePaymentSystem } from '../../../../test/kits/payment-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlPaymentAdapter } from '.';

describePaymentSystem('sql on PostgreSQL', sqlSourceFactory(sqlPaymentAdapter, 'payments', 'postgres'));
describePaymentSystem('sql on the embedded PGlite', sqlSourceFactory(sqlPaymentAdapter, 'payments', 'pglite'));
