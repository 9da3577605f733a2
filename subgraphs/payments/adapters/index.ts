import { sqlPaymentAdapter } from './sql';
import { stripePaymentAdapter } from './stripe';

/** The payment service adapters, chosen by PAYMENTS_ADAPTER. */
export const paymentAdapters = { sql: sqlPaymentAdapter, stripe: stripePaymentAdapter };
