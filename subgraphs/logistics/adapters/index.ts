import { easypostLogisticsAdapter } from './easypost';
import { sqlLogisticsAdapter } from './sql';

/** The carrier systems, chosen by LOGISTICS_ADAPTER. */
export const logisticsAdapters = { sql: sqlLogisticsAdapter, easypost: easypostLogisticsAdapter };
