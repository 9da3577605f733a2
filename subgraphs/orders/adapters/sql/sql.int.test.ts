import { describeOrderSystem } from '../../../../test/kits/order-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlOrderAdapter } from '.';

describeOrderSystem('sql on PostgreSQL', sqlSourceFactory(sqlOrderAdapter, 'orders', 'postgres'));
describeOrderSystem('sql on the embedded PGlite', sqlSourceFactory(sqlOrderAdapter, 'orders', 'pglite'));
