import { hubspotCustomerAdapter } from './hubspot';
import { sqlCustomerAdapter } from './sql';

/** The CRM adapters, chosen by CUSTOMERS_ADAPTER. */
export const customerAdapters = { sql: sqlCustomerAdapter, hubspot: hubspotCustomerAdapter };
