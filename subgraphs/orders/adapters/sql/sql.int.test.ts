import { describeOrderSource } from '../../../../test/kits/order-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlOrderAdapter } from '.';

describeOrderSource('sql on PostgreSQL', sqlSourceFactory(sqlOrderAdapter, 'orders', 'postgres'));
describeOrderSource('sql on the embedded PGlite', sqlSourceFactory(sqlOrderAdapter, 'orders', 'pglite'));
