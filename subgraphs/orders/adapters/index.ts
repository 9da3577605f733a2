import { commercetoolsOrderAdapter } from './commercetools';
import { sqlOrderAdapter } from './sql';

/** The OMS adapters, chosen by ORDERS_ADAPTER. */
export const orderAdapters = { sql: sqlOrderAdapter, commercetools: commercetoolsOrderAdapter };
