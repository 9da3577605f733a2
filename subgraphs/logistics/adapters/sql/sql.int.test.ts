import { describeLogisticsSystem } from '../../../../test/kits/logistics-system';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlLogisticsAdapter } from '.';

describeLogisticsSystem('sql on PostgreSQL', sqlSourceFactory(sqlLogisticsAdapter, 'logistics', 'postgres'));
describeLogisticsSystem('sql on the embedded PGlite', sqlSourceFactory(sqlLogisticsAdapter, 'logistics', 'pglite'));
