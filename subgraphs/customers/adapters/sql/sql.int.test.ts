import { describeCustomerSource } from '../../../../test/kits/customer-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlCustomerAdapter } from '.';

describeCustomerSource('sql on PostgreSQL', sqlSourceFactory(sqlCustomerAdapter, 'customers', 'postgres'));
describeCustomerSource('sql on the embedded PGlite', sqlSourceFactory(sqlCustomerAdapter, 'customers', 'pglite'));
