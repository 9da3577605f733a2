/** The CRM tables in schema `crm`, as kysely sees them (CamelCasePlugin maps to snake_case). */
export interface CrmTables {
  customers: {
    id: string;
    firstName: string;
    lastName: string;
    email: string;
    phone: string | null;
    dateOfBirth: string | null;
    preferredLanguage: string;
    locale: string;
    country: string;
    loyaltyTier: string;
    marketingConsent: boolean;
    createdAt: Date;
    updatedAt: Date;
  };
  addresses: {
    id: string;
    customerId: string;
    kind: string;
    isDefault: boolean;
    name: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
  };
  interactions: {
    id: string;
    customerId: string;
    channel: string;
    intent: string;
    outcome: string;
    orderId: string | null;
    lineItemIds: string[];
    stepsTried: string[];
    failureReason: string | null;
    sentiment: string | null;
    summary: string | null;
    agentId: string | null;
    occurredAt: Date;
  };
}

export type CustomerRow = CrmTables['customers'];
export type AddressRow = CrmTables['addresses'];
export type InteractionRow = CrmTables['interactions'];
