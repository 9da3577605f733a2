import { describeCustomerSystem } from '../../../../test/kits/customer-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlCustomerAdapter } from '.';

describeCustomerSystem('sql on PostgreSQL', sqlSourceFactory(sqlCustomerAdapter, 'customers', 'postgres'));
describeCustomerSystem('sql on the embedded PGlite', sqlSourceFactory(sqlCustomerAdapter, 'customers', 'pglite'));
