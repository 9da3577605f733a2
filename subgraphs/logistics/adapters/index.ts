import { sqlLogisticsAdapter } from './sql';

/** The carrier adapters, chosen by LOGISTICS_ADAPTER. */
export const logisticsAdapters = { sql: sqlLogisticsAdapter };
