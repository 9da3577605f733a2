import { describeLogisticsSource } from '../../../../test/kits/logistics-source';
import { sqlSourceFactory } from '../../../../test/helpers/sql-source';
import { sqlLogisticsAdapter } from '.';

describeLogisticsSource('sql on PostgreSQL', sqlSourceFactory(sqlLogisticsAdapter, 'logistics', 'postgres'));
describeLogisticsSource('sql on the embedded PGlite', sqlSourceFactory(sqlLogisticsAdapter, 'logistics', 'pglite'));
