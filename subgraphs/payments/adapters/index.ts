import { sqlPaymentAdapter } from './sql';

/** The payment service adapters, chosen by PAYMENTS_ADAPTER. */
export const paymentAdapters = { sql: sqlPaymentAdapter };
